/**
 * `<parley-listen-note>`: the centred line an `end` event leaves in the
 * timeline ("Mia ended listening together"), shown only when the board took
 * it (the session ended at that message's seq). Joins, leaves and changes of
 * what plays leave no line (message-filters.ts hides them).
 */
import type { ChatMessage, ParleyClient } from "@parley/sdk";
import type { PropertyValues, TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { type ListenBoard, listenOf, principalOf } from "./sdk.js";
import { listenStrings } from "./strings.js";
import { noteStyles } from "./styles.js";
import { nameOf } from "./view.js";

/** The `<parley-listen-note>` class built from `kit`. */
export function noteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  return class ParleyListenNote extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      message: { attribute: false },
      locale: {},
      names: { attribute: false },
    };
    /** @internal */
    static override styles = noteStyles(kit);
    /** The client whose conversation holds the event. */
    declare client: ParleyClient | undefined;
    /** The `listen-event` message. */
    declare message: ChatMessage | undefined;
    /** BCP 47 locale. */
    declare locale: string;
    /** Display names by principal id. */
    declare names: Record<string, string>;
    readonly #board = new kit.StoreController<ListenBoard>(this);

    constructor() {
      super();
      this.locale = "en";
      this.names = {};
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      if (changed.has("client") || changed.has("message")) {
        const convId = this.message?.convId;
        this.#board.set(convId ? listenOf(this.client)?.board(convId) : undefined);
      }
    }

    protected override render(): TemplateResult | typeof nothing {
      const m = this.message;
      const body = m?.body;
      if (!m || body?.type !== "listen-event" || body.event.op !== "end") return nothing;
      const session = this.#board.value?.sessions.get(body.event.session);
      if (!session || session.endedAt !== m.seq) return nothing;
      const s = listenStrings(this.locale);
      const me = principalOf(this.client);
      const text =
        m.sender === me ? s.t("note.endedYou") : s.t("note.ended", { name: nameOf(s, this.names, me)(m.sender) });
      return html`<p>${text}</p>`;
    }
  };
}
