/**
 * `<parley-listen-note>`: the centred line an `end` event leaves in the
 * timeline ("Mia ended listening together"), shown only when the board took
 * it (the session ended at that message's seq). Joins, leaves and changes of
 * what plays leave no line (message-filters.ts hides them).
 */
import type { ChatMessage } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { boardViewClass, noteStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { type ListenBoard, listenOf, principalOf } from "./sdk.js";
import { listenStrings } from "./strings.js";
import { nameOf } from "./view.js";

/** The `<parley-listen-note>` class built from `kit`. */
export function noteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<ListenBoard, ChatMessage>(kit, (client, convId) => listenOf(client)?.board(convId));
  return class ParleyListenNote extends Base {
    /** @internal */
    static override styles = noteStyles(kit);

    protected override render(): TemplateResult | typeof nothing {
      const m = this.message;
      const body = m?.body;
      if (!m || body?.type !== "listen-event" || body.event.op !== "end") return nothing;
      const session = this.shownBoard?.sessions.get(body.event.session);
      if (!session || session.endedAt !== m.seq) return nothing;
      const s = listenStrings(this.locale);
      const me = principalOf(this.client);
      const text =
        m.sender === me ? s.t("note.endedYou") : s.t("note.ended", { name: nameOf(s, this.names, me)(m.sender) });
      return html`<p>${text}</p>`;
    }
  };
}
