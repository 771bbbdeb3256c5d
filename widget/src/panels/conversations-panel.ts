/**
 * `<parley-conversations-panel>`: a customer's conversation switcher (their
 * own conversation and those they joined by invite), newest activity first,
 * with unread counts. Choosing one shows it in the chat and closes the panel.
 * Loaded on demand (panel-host.ts).
 */
import type { ParleyClient } from "@parley/sdk";
import type { PanelKit } from "../components/panel-kit.js";
import { panelElement } from "./panel-element.js";
import { panelTranslator } from "./panel-strings.js";

type ConversationInfo = Awaited<ReturnType<ParleyClient["listConversations"]>>[number];

const strings = { en: { close: "Close", current: "(shown now)" }, de: { close: "Schließen", current: "(angezeigt)" } };

/** The panel's tag. */
export const tag = "parley-conversations-panel";

/** Registers `<parley-conversations-panel>` (once), built from the chat's kit. */
export function define(kit: PanelKit): void {
  if (customElements.get(tag)) return;
  const { html, nothing, translator } = kit;
  const Base = panelElement(kit);
  /** The conversation switcher. */
  class ParleyConversationsPanel extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = { ...Base.properties, list: { state: true } };
    /** @internal The conversations, newest activity first. */
    declare list: ConversationInfo[] | undefined;

    override connectedCallback(): void {
      super.connectedCallback();
      void this.client
        ?.listConversations()
        .then((list) => {
          this.list = [...list].sort((a, b) => b.updatedAt - a.updatedAt);
        })
        .catch(() => {
          this.list = [];
        });
    }

    protected override render() {
      const tr = translator(this.locale);
      const t = panelTranslator(strings, tr);
      return html`${this.top(tr.t("chat.conversations"), t.t("close"))}
        ${
          this.list?.length === 0
            ? html`<p>${tr.t("conv.empty")}</p>`
            : html`<ul class="convs">
              ${(this.list ?? []).map((c) => {
                const unread = this.client?.conversation(c.id).value.unread ?? c.unread ?? 0;
                const current = c.id === this.conversationId;
                return html`<li>
                  <button type="button" class="secondary" data-conversation=${c.id} aria-current=${current ? "true" : "false"}
                    @click=${() => this.openConversation(c.id)}>
                    ${c.ownerName || tr.t("conv.untitled", { id: c.id.slice(-6) })}
                    · ${tr.day(c.updatedAt)}, ${tr.time(c.updatedAt)}
                    ${unread > 0 ? html`· ${tr.t("conv.unread", { count: unread })}` : nothing}
                    ${current ? t.t("current") : nothing}
                  </button>
                </li>`;
              })}
            </ul>`
        }`;
    }
  }
  customElements.define(tag, ParleyConversationsPanel);
}
