/**
 * `<parley-history-notice>`: one explanation in place of the earlier messages
 * this device holds no key for (they were sent before it could read the
 * conversation, and neither a history grant nor the customer's key backup
 * gave it their keys). The message list shows it once instead of a "could not
 * be decrypted" bubble per message.
 *
 * @csspart notice - the notice
 */
import { css, html, LitElement } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";

export class ParleyHistoryNotice extends LitElement {
  static override properties = {
    locale: {},
    count: { type: Number },
  };
  declare locale: string;
  /** How many messages it stands for (read by tests and assistive tech through the title). */
  declare count: number;

  constructor() {
    super();
    this.locale = "en";
    this.count = 0;
  }

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
    return html`<p part="notice" role="note">${tr.t("list.historyUnavailable")}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-history-notice": ParleyHistoryNotice;
  }
}
