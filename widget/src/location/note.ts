/**
 * `<parley-location-note>`: the centred line a `location-event` leaves in the
 * timeline ("Mia stopped sharing their location"), once the board shows the
 * share stopped by its own sharer; an event the fold ignored leaves no line.
 */
import type { TemplateResult } from "lit";
import { boardViewClass, noteStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { principalOf } from "./location-element.js";
import { type LocationBoard, locationOf } from "./sdk.js";
import { locationStrings } from "./strings.js";

/** What the line needs of its message. */
export interface LocationEventRef {
  convId: string;
  sender: string;
  body?: { type: string; event?: { share?: unknown; op?: unknown } } | undefined;
}

/** The `<parley-location-note>` class built from `kit`. */
export function locationNoteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<LocationBoard, LocationEventRef>(
    kit,
    (client, convId) => locationOf(client)?.board(convId),
    { board: true },
  );
  return class ParleyLocationNote extends Base {
    /** @internal */
    static override styles = noteStyles(kit);

    protected override render(): TemplateResult | typeof nothing {
      const m = this.message;
      const event = m?.body?.type === "location-event" ? m.body.event : undefined;
      const share = typeof event?.share === "string" ? event.share : undefined;
      const pin = share ? this.shownBoard?.pins.get(share) : undefined;
      if (!m || event?.op !== "stop" || !pin || pin.sender !== m.sender || pin.live?.stoppedAt === undefined)
        return nothing;
      const s = locationStrings(this.locale);
      const me = principalOf(this.client);
      const text =
        m.sender === me
          ? s.t("note.stop.you")
          : s.t("note.stop", { name: this.names[m.sender] ?? s.t("card.someone") });
      return html`<p>${text}</p>`;
    }
  };
}
