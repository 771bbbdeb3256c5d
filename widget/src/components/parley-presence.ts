import type { ConnectionStatus, ParleyClient, TeamPresence } from "@parley/sdk";
import { css, html, LitElement, type PropertyValues } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";
import { StoreController } from "./store-controller.js";

/**
 * `<parley-presence>`: who of the shop's team is online ("Ada and 2 others
 * are online"), or when to expect a reply when nobody is. Follows
 * `client.presence`, and `client.status`: while the connection is lost it
 * claims nobody online (what it last heard may no longer be true) and says
 * the team's status is unknown.
 *
 * @csspart presence - the line of text
 */
export class ParleyPresence extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = { client: { attribute: false }, locale: {} };
  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  readonly #presence = new StoreController<TeamPresence>(this);
  readonly #status = new StoreController<ConnectionStatus>(this);

  constructor() {
    super();
    this.locale = "en";
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      :host {
        display: block;
        font-size: 0.8rem;
      }
      .dot {
        display: inline-block;
        width: 0.5rem;
        height: 0.5rem;
        border-radius: 50%;
        margin-inline-end: 0.35rem;
        background: var(--parley-muted, #4b5563);
      }
      .online .dot {
        background: #16a34a;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("client")) {
      this.#presence.set(this.client?.presence);
      this.#status.set(this.client?.status);
    }
  }

  protected override render() {
    const tr = translator(this.locale);
    const state = this.#status.value?.state;
    if (state === "reconnecting" || state === "closed") {
      return html`<span part="presence" data-state="offline"
        ><span class="dot" aria-hidden="true"></span>${tr.t("presence.offline")}</span
      >`;
    }
    const online = this.#presence.value?.online ?? [];
    const [first, second] = online;
    let text: string;
    if (!first) text = tr.t("presence.none");
    else if (!second) text = tr.t("presence.online.one", { name: first.displayName });
    else if (online.length === 2)
      text = tr.t("presence.online.two", { name: first.displayName, other: second.displayName });
    else text = tr.t("presence.online.many", { name: first.displayName, count: online.length - 1 });
    return html`<span part="presence" class=${first ? "online" : ""}
      ><span class="dot" aria-hidden="true"></span>${text}</span
    >`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-presence": ParleyPresence;
  }
}
