/**
 * The registered body kinds. A new kind is one module beside this one, added
 * to `kinds` below (and its body to the `MessageBody` union), plus its
 * renderer in the widget. `parseMessageBody` finds a decoded body's kind here.
 */
import type { MessageBody } from "../message-body.js";
import type { BodyKind } from "./body-kind.js";
import { cardKind } from "./card.js";
import { cardEventKind } from "./card-event.js";
import { fileKind } from "./file.js";
import { historyGrantKind } from "./history-grant.js";
import {
  callEventKind,
  callKind,
  listenEventKind,
  listenKind,
  liveKind,
  locationEventKind,
  locationKind,
} from "./live-kinds.js";
import { systemKind } from "./system.js";
import { textKind } from "./text.js";

const kinds = [
  textKind,
  fileKind,
  cardKind,
  cardEventKind,
  locationKind,
  locationEventKind,
  listenKind,
  listenEventKind,
  callKind,
  callEventKind,
  liveKind,
  systemKind,
  historyGrantKind,
] as const;

// The registered kinds are exactly the bodies of `MessageBody`: a kind missing
// here, or one without its body in the union, fails the type check.
type Registered = (typeof kinds)[number]["type"];
true satisfies [Registered] extends [MessageBody["type"]]
  ? [MessageBody["type"]] extends [Registered]
    ? true
    : never
  : never;

/** Every registered kind, by `type`. */
// Each kind's parse and fold take their own body type; the map holds them by their common shape.
export const bodyKinds: ReadonlyMap<string, BodyKind> = new Map(
  (kinds as unknown as readonly BodyKind[]).map((k) => [k.type, k]),
);

/** The kind of `type`, if registered. */
export function bodyKind(type: string): BodyKind | undefined {
  return bodyKinds.get(type);
}
