import type { DeviceSetChange, ParleyClient } from "@parley/sdk";
import type { PropertyValues } from "lit";
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";
import type { PanelKit } from "./panel-kit.js";

interface Notice {
  id: number;
  principalId: string;
  kind: "changed" | "added" | "removed";
  deviceId: string;
  sigPk: string;
}

/** The notice's words, English and German, kept here: they load with the element, on demand. */
const WORDS = {
  en: {
    changed: "{name}'s security code changed",
    added: "{name} added a new device",
    removed: "{name} removed a device",
    selfChanged: "The security code of one of your devices changed",
    selfAdded: "You added a new device",
    selfRemoved: "You removed a device",
    show: "View security code",
    hide: "Hide security code",
    dismiss: "Dismiss notice",
    code: "Security code for {device}",
    unavailable: "Security code unavailable",
  },
  de: {
    changed: "Der Sicherheitscode von {name} hat sich geändert",
    added: "{name} hat ein neues Gerät hinzugefügt",
    removed: "{name} hat ein Gerät entfernt",
    selfChanged: "Der Sicherheitscode eines Ihrer Geräte hat sich geändert",
    selfAdded: "Sie haben ein neues Gerät hinzugefügt",
    selfRemoved: "Sie haben ein Gerät entfernt",
    show: "Sicherheitscode anzeigen",
    hide: "Sicherheitscode ausblenden",
    dismiss: "Hinweis schließen",
    code: "Sicherheitscode für {device}",
    unavailable: "Sicherheitscode nicht verfügbar",
  },
};

/** The words of a notice about one's own devices, by kind. */
const SELF = { changed: "selfChanged", added: "selfAdded", removed: "selfRemoved" } as const;

/** The notice's words for `locale` (English unless German), with `{param}` filled in. */
function words(locale: string) {
  const table = locale.toLowerCase().startsWith("de") ? WORDS.de : WORDS.en;
  return (key: keyof typeof WORDS.en, params: Record<string, string> = {}) =>
    fillIsolated(table[key], params, isRtlLocale(locale));
}

/**
 * Makes the `<parley-device-notice>` element class from the chat's kit (Lit, the
 * translator, the theme). It takes them as arguments rather than imports so that
 * the chat frame can load this module only when a device really changes (a
 * module sharing imports with the chat's first load would split it; ADR 0026).
 * npm users get the class ready-made as `ParleyDeviceNotice`.
 */
export function deviceNoticeClass(kit: PanelKit): ParleyDeviceNoticeClass {
  const { css, html, LitElement, nothing, translator, base } = kit;
  /**
   * `<parley-device-notice>`: notices from end-to-end encryption when a
   * member's devices change ("Ada's security code changed"), each with the new
   * security code (fingerprint) to compare out of band, and a dismiss button.
   * First contact with a member is not a change and shows nothing.
   *
   * @csspart notice - one notice
   */
  class ParleyDeviceNotice extends LitElement {
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

    /** Whether the notice is about this principal's own devices (another tab, another browser). */
    #isSelf(notice: Notice): boolean {
      try {
        return notice.principalId === this.client?.principal.id;
      } catch {
        return false; // not connected: no principal yet
      }
    }

    #dismiss(id: number): void {
      this.notices = this.notices.filter((n) => n.id !== id);
      if (this.open === id) this.open = undefined;
    }

    protected override render() {
      if (this.notices.length === 0) return nothing;
      const tr = translator(this.locale);
      const w = words(tr.locale);
      return html`<div role="status">
        ${this.notices.map((n) => {
          const name = this.names[n.principalId] ?? tr.t("msg.someone");
          const code = this.codes[n.id];
          return html`<div class="notice" part="notice">
            <span>${w(this.#isSelf(n) ? SELF[n.kind] : n.kind, { name })}</span>
            <button type="button" aria-expanded=${this.open === n.id ? "true" : "false"} @click=${() => this.#toggle(n)}>
              ${w(this.open === n.id ? "hide" : "show")}
            </button>
            <button type="button" aria-label=${w("dismiss")} @click=${() => this.#dismiss(n.id)}>×</button>
            ${
              this.open === n.id
                ? html`<span class="sr-only">${w("code", { device: n.deviceId })}</span
                    ><code>${code === undefined ? "…" : code || w("unavailable")}</code>`
                : nothing
            }
          </div>`;
        })}
      </div>`;
    }
  }
  return ParleyDeviceNotice;
}

/** A `<parley-device-notice>` element: what apps may set and call. */
export interface ParleyDeviceNotice extends HTMLElement {
  /** The client whose `devices-changed` events it shows. */
  client: ParleyClient | undefined;
  /** Display names by principal id. */
  names: Record<string, string>;
  /** BCP 47 locale of the element's strings. */
  locale: string;
  /** Adds notices for a `devices-changed` event (public so apps can replay events they kept). */
  add(changes: readonly DeviceSetChange[]): void;
}

/** The `<parley-device-notice>` element class. */
export type ParleyDeviceNoticeClass = new () => ParleyDeviceNotice;

declare global {
  interface HTMLElementTagNameMap {
    "parley-device-notice": ParleyDeviceNotice;
  }
}
