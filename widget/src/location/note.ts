/**
 * `<parley-location-note>`: the centred line a `location-event` leaves in the
 * timeline ("Mia stopped sharing their location"), once the board shows the
 * share stopped by its own sharer; an event the fold ignored leaves no line.
 */
import type { ParleyClient } from "@parley/sdk";
import type { PropertyValues, TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { principalOf } from "./location-element.js";
import { type LocationBoard, locationOf } from "./sdk.js";
import { locationStrings } from "./strings.js";
import { noteStyles } from "./styles.js";

/** What the line needs of its message. */
export interface LocationEventRef {
  convId: string;
  sender: string;
  body?: { type: string; event?: { share?: unknown; op?: unknown } } | undefined;
}

/** The `<parley-location-note>` class built from `kit`. */
export function locationNoteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  return class ParleyLocationNote extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      message: { attribute: false },
      locale: {},
      names: { attribute: false },
      board: { attribute: false },
    };
    /** @internal */
    static override styles = noteStyles(kit);
    /** The client whose conversation holds the event. */
    declare client: ParleyClient | undefined;
    /** The `location-event` message. */
    declare message: LocationEventRef | undefined;
    /** BCP 47 locale. */
    declare locale: string;
    /** Display names by principal id. */
    declare names: Record<string, string>;
    /** The board, when given directly instead of read from the client. */
    declare board: LocationBoard | undefined;
    readonly #board = new kit.StoreController<LocationBoard>(this);

    constructor() {
      super();
      this.locale = "en";
      this.names = {};
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      if (changed.has("client") || changed.has("message")) {
        const convId = this.message?.convId;
        this.#board.set(convId ? locationOf(this.client)?.board(convId) : undefined);
      }
    }

    protected override render(): TemplateResult | typeof nothing {
      const m = this.message;
      const event = m?.body?.type === "location-event" ? m.body.event : undefined;
      const share = typeof event?.share === "string" ? event.share : undefined;
      const pin = share ? (this.board ?? this.#board.value)?.pins.get(share) : undefined;
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
