import { css, html, LitElement } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";

/**
 * `<parley-history-notice>`: one explanation in place of the earlier messages
 * this device holds no key for: `kind` "no_key" when they went to the
 * customer's other devices and no key backup gave this one their keys,
 * "before_joined" when they were said before the reader joined and no history
 * was shared. The message list shows one per kind instead of a "could not be
 * decrypted" bubble per message.
 *
 * @csspart notice - the notice
 */
export class ParleyHistoryNotice extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    locale: {},
    kind: {},
    count: { type: Number },
  };
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** Why the messages cannot be shown: `no_key` (sent before this device could read the conversation) or `before_joined` (sent before the principal joined). */
  declare kind: "no_key" | "before_joined";
  /** How many messages it stands for (read by tests and assistive tech through the title). */
  declare count: number;

  constructor() {
    super();
    this.locale = "en";
    this.kind = "no_key";
    this.count = 0;
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      :host {
        display: block;
        margin: 0.5rem 0.75rem;
      }
      p {
        margin: 0;
        padding: 0.5rem 0.75rem;
        border-radius: calc(var(--parley-radius, 12px) / 2);
        background: var(--parley-notice-bg, #fff7e0);
        color: var(--parley-notice-fg, #5c3d00);
        font-size: 0.85rem;
        text-align: center;
      }
    `,
  ];

  protected override render() {
    const tr = translator(this.locale);
    const key = this.kind === "before_joined" ? "list.historyBeforeJoined" : "list.historyUnavailable";
    return html`<p part="notice" role="note">${tr.t(key)}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-history-notice": ParleyHistoryNotice;
  }
}
