import type { DeviceSetChange, ParleyClient } from "@parley/sdk";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";

interface Notice {
  id: number;
  principalId: string;
  kind: "changed" | "added" | "removed";
  deviceId: string;
  sigPk: string;
}

/**
 * `<parley-device-notice>`: notices from end-to-end encryption when a
 * member's devices change ("Ada's security code changed"), each with the new
 * security code (fingerprint) to compare out of band, and a dismiss button.
 * First contact with a member is not a change and shows nothing.
 *
 * @csspart notice - one notice
 */
export class ParleyDeviceNotice extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    client: { attribute: false },
    names: { attribute: false },
    locale: {},
    notices: { state: true },
    open: { state: true },
    codes: { state: true },
  };
  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** Display names by principal id. */
  declare names: Record<string, string>;
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;
  /** @internal Rendering state. */
  declare notices: Notice[];
  /** @internal Rendering state. */
  declare open: number | undefined;
  /** @internal Rendering state. */
  declare codes: Record<number, string>;
  #off: (() => void) | undefined;
  #next = 1;

  constructor() {
    super();
    this.names = {};
    this.locale = "en";
    this.notices = [];
    this.codes = {};
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      .notice {
        margin: 0.25rem 0.5rem;
        padding: 0.4rem 0.6rem;
        border-radius: calc(var(--parley-radius, 12px) / 2);
        background: var(--parley-notice-bg, #fff7e0);
        color: var(--parley-notice-fg, #5c3d00);
        font-size: 0.8rem;
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.5rem;
        align-items: center;
      }
      .notice span {
        flex: 1;
      }
      button {
        text-decoration: underline;
        padding: 0.1rem 0.25rem;
      }
      code {
        flex-basis: 100%;
        font-size: 0.8rem;
        letter-spacing: 0.05em;
        word-spacing: 0.3em;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#off?.();
    this.#off = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("client")) {
      this.#off?.();
      this.#off = undefined;
      this.#listen();
    }
  }

  #listen(): void {
    if (!this.client || this.#off || !this.isConnected) return;
    this.#off = this.client.on("devices-changed", (changes) => this.add(changes));
  }

  /** Adds notices for a `devices-changed` event (public so apps can replay events they kept). */
  add(changes: readonly DeviceSetChange[]): void {
    const fresh: Notice[] = [];
    for (const change of changes) {
      if (change.firstSight) continue;
      const principalId = change.principalId;
      for (const k of change.keyChanged)
        fresh.push({ id: this.#next++, principalId, kind: "changed", deviceId: k.deviceId, sigPk: k.offered.sigPk });
      for (const d of change.added)
        fresh.push({ id: this.#next++, principalId, kind: "added", deviceId: d.deviceId, sigPk: d.sigPk });
      for (const d of change.removed)
        fresh.push({ id: this.#next++, principalId, kind: "removed", deviceId: d.deviceId, sigPk: d.sigPk });
    }
    if (fresh.length > 0) this.notices = [...this.notices, ...fresh];
  }

  async #toggle(notice: Notice): Promise<void> {
    if (this.open === notice.id) {
      this.open = undefined;
      return;
    }
    this.open = notice.id;
    if (this.codes[notice.id]) return;
    let code: string;
    try {
      // The crypto layer is already loaded when devices change (encryption is on).
      const { fingerprint } = await import("@parley/sdk/crypto");
      code = await fingerprint(notice.sigPk);
    } catch {
      code = "";
    }
    this.codes = { ...this.codes, [notice.id]: code };
  }

  #dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    if (this.open === id) this.open = undefined;
  }

  protected override render() {
    if (this.notices.length === 0) return nothing;
    const tr = translator(this.locale);
    return html`<div role="status">
      ${this.notices.map((n) => {
        const name = this.names[n.principalId] ?? tr.t("msg.someone");
        const code = this.codes[n.id];
        return html`<div class="notice" part="notice">
          <span>${tr.t(`device.${n.kind}`, { name })}</span>
          <button type="button" aria-expanded=${this.open === n.id ? "true" : "false"} @click=${() => this.#toggle(n)}>
            ${tr.t(this.open === n.id ? "device.hide" : "device.show")}
          </button>
          <button type="button" aria-label=${tr.t("device.dismiss")} @click=${() => this.#dismiss(n.id)}>×</button>
          ${
            this.open === n.id
              ? html`<span class="sr-only">${tr.t("device.code", { device: n.deviceId })}</span
                  ><code>${code === undefined ? "…" : code || tr.t("device.unavailable")}</code>`
              : nothing
          }
        </div>`;
      })}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-device-notice": ParleyDeviceNotice;
  }
}
