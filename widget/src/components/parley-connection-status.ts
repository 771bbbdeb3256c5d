import type { ConnectionStatus, ParleyClient } from "@parley/sdk";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";
import { StoreController } from "./store-controller.js";

/**
 * `<parley-connection-status>`: a banner while the client connects,
 * reconnects or is offline; nothing while connected. Follows `client.status`.
 *
 * @csspart status - the banner
 */
export class ParleyConnectionStatus extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = { client: { attribute: false }, locale: {} };
  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  readonly #status = new StoreController<ConnectionStatus>(this);

  constructor() {
    super();
    this.locale = "en";
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      .banner {
        margin: 0;
        padding: 0.4rem 0.75rem;
        font-size: 0.8rem;
        background: var(--parley-notice-bg, #fff7e0);
        color: var(--parley-notice-fg, #5c3d00);
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("client")) this.#status.set(this.client?.status);
  }

  /** The banner's text for a status, or undefined while connected. */
  #text(status: ConnectionStatus | undefined): string | undefined {
    const tr = translator(this.locale);
    switch (status?.state) {
      case "connecting":
        return tr.t("status.connecting");
      case "reconnecting":
        return tr.t("status.reconnecting");
      case "closed":
        return tr.t("status.offline");
      default:
        return undefined;
    }
  }

  protected override render() {
    const state = this.#status.value?.state ?? "idle";
    const text = this.#text(this.#status.value);
    return html`<div role="status" data-state=${state}>
      ${text ? html`<p class="banner" part="status">${text}</p>` : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-connection-status": ParleyConnectionStatus;
  }
}
