/**
 * The kinds of what is live in a conversation (../live/wire.ts,
 * ../calls/wire.ts): `location`, `location-event`, `listen`, `listen-event`,
 * `call`, `call-event` (stored messages) and `live`
 * (the payload of a live signal, never a stored message: a stored one is
 * shown as nothing and folds into nothing). Checked here only for their
 * shape, like cards: the full checks and the folds load with the location
 * and listen modules (`@parley/sdk/location`, `@parley/sdk/listen`), which
 * ignore alike on every client what breaks their rules.
 */
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** A plain object (not null, not an array), or undefined. */
function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The object under `key` of a body of `type`; throws when the value is not such a body. */
function inner(value: unknown, type: string, key: string): Record<string, unknown> {
  const v = record(value);
  const found = record(v?.[key]);
  if (v?.type !== type || !found) throw notABody();
  return found;
}

/** The `location` kind: a place pinned once, or the start of a live share (`location.live`). */
export const locationKind = defineBodyKind<Extract<MessageBody, { type: "location" }>>({
  type: "location",
  parse: (value) => {
    const location = inner(value, "location", "location");
    if (typeof location.lat !== "number" || typeof location.lon !== "number") throw notABody();
    return {
      type: "location",
      location: location as unknown as Extract<MessageBody, { type: "location" }>["location"],
    };
  },
  senders: "any",
});

/** The `location-event` kind: a share stopped early. */
export const locationEventKind = defineBodyKind<Extract<MessageBody, { type: "location-event" }>>({
  type: "location-event",
  parse: (value) => {
    const event = inner(value, "location-event", "event");
    if (typeof event.share !== "string" || typeof event.op !== "string") throw notABody();
    return { type: "location-event", event: event as { share: string; op: string } };
  },
  senders: "any",
});

/** The `listen` kind: a listening session starts. */
export const listenKind = defineBodyKind<Extract<MessageBody, { type: "listen" }>>({
  type: "listen",
  parse: (value) => {
    const listen = inner(value, "listen", "listen");
    if (!Array.isArray(listen.queue)) throw notABody();
    return { type: "listen", listen: listen as { queue: unknown[] } };
  },
  senders: "any",
});

/** The `listen-event` kind: join, leave, a change of what plays, the end. */
export const listenEventKind = defineBodyKind<Extract<MessageBody, { type: "listen-event" }>>({
  type: "listen-event",
  parse: (value) => {
    const event = inner(value, "listen-event", "event");
    if (typeof event.session !== "string" || typeof event.op !== "string") throw notABody();
    return { type: "listen-event", event: event as { session: string; op: string } };
  },
  senders: "any",
});

/** The `call` kind: a call starts and rings. */
export const callKind = defineBodyKind<Extract<MessageBody, { type: "call" }>>({
  type: "call",
  parse: (value) => {
    const call = inner(value, "call", "call");
    if (typeof call.media !== "string") throw notABody();
    return { type: "call", call: call as { media: string } };
  },
  senders: "any",
});

/** The `call-event` kind: join, decline, busy, leave. */
export const callEventKind = defineBodyKind<Extract<MessageBody, { type: "call-event" }>>({
  type: "call-event",
  parse: (value) => {
    const event = inner(value, "call-event", "event");
    if (typeof event.call !== "string" || typeof event.op !== "string") throw notABody();
    return { type: "call-event", event: event as { call: string; op: string } };
  },
  senders: "any",
});

/** The `live` kind: the payload of a live signal (a stored one is shown as nothing). */
export const liveKind = defineBodyKind<Extract<MessageBody, { type: "live" }>>({
  type: "live",
  parse: (value) => {
    const live = inner(value, "live", "live");
    if (typeof live.kind !== "string") throw notABody();
    return { type: "live", live: live as { kind: string } };
  },
  senders: "any",
});
