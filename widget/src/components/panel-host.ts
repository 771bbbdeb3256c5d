/**
 * Panels of `<parley-chat>` that load on demand (ADR 0026): the profile, the
 * invites list, the customer's conversation switcher and the members panel.
 * Each lives in a module under `widget/src/panels/` that is fetched with a
 * dynamic `import()` the first time the person opens it, with its own
 * strings, so none of it counts towards what the chat loads before the first
 * message renders.
 *
 * The API, in one place:
 * - `chat.openPanel(name)` loads the panel's module (once), shows its element
 *   over the chat's body (the messages stay mounted, inert) and moves focus
 *   into it; `chat.closePanel()` closes it.
 * - Escape inside a panel, the panel's own close button (it fires
 *   `parley-panel-close`) and opening another panel close it; focus goes back
 *   to the control that opened it (or to the chat's header when that is gone).
 * - A panel element gets `client`, `locale` and `conversationId` (the
 *   conversation on screen) as properties. It sets `role="dialog"` and an
 *   `aria-label` on itself and delegates focus to its first control. It may
 *   fire `parley-open-conversation` (detail `{conversationId}`): the chat
 *   switches to that conversation and closes the panel.
 */
import type { ParleyClient } from "@parley/sdk";
import { html, nothing, type ReactiveController, type ReactiveControllerHost } from "lit";
import { kit, type PanelKit } from "./panel-kit.js";

/** The panels `<parley-chat>` can open. */
export type PanelName = "profile" | "invites" | "conversations" | "members";

/**
 * What a panel module exports: the tag of its element and a function that defines it with the
 * kit (lit, the translator, the SDK helpers: panel-kit.ts), so the panel's chunk imports nothing
 * the chat's first load has.
 */
export interface PanelModule {
  /** The custom element's tag, e.g. `parley-profile-panel`. */
  tag: string;
  /** Registers the element (idempotent). */
  define(kit: PanelKit): void;
}

/**
 * How each panel is fetched. A new panel adds one line here, with a literal path
 * under `../panels/` (the size check counts what these imports reach as "panels").
 */
export const panelLoaders: Partial<Record<PanelName, () => Promise<PanelModule>>> = {
  profile: () => import("../panels/profile-panel.js"),
  invites: () => import("../panels/invites-panel.js"),
  conversations: () => import("../panels/conversations-panel.js"),
};

/** What the host gives every panel element. */
export interface PanelProps {
  /** The chat's client. */
  client: ParleyClient | undefined;
  /** The chat's locale. */
  locale: string;
  /** The conversation on screen, if any. */
  conversationId: string | undefined;
}

/** The element the host lives in: it renders the open panel and can be focused back into. */
interface PanelHostElement extends ReactiveControllerHost, HTMLElement {
  /** Where focus goes when the control that opened the panel is gone. */
  focusFallback(): void;
}

/** The deepest focused element, through shadow roots. */
function deepActive(): HTMLElement | undefined {
  let el = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : undefined;
}

/** Opens, closes and focuses the panels of one `<parley-chat>`. */
export class PanelHost implements ReactiveController {
  /** The open panel, or undefined. */
  open: PanelName | undefined;
  /** The open panel's element, made fresh each time a panel opens; the host renders it and sets its properties. */
  element: (HTMLElement & Record<string, unknown>) | undefined;
  readonly #host: PanelHostElement;
  #opener: HTMLElement | undefined;
  #request = 0;

  constructor(host: PanelHostElement) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  /** Loads (once) and shows a panel, moving focus into it; another open panel closes first. */
  async show(name: PanelName): Promise<void> {
    const load = panelLoaders[name];
    if (!load) throw new Error(`no panel named ${name}`);
    const request = ++this.#request;
    if (!this.open) this.#opener = deepActive();
    const mod = await load();
    if (request !== this.#request) return;
    mod.define(kit);
    this.open = name;
    this.element = document.createElement(mod.tag) as HTMLElement & Record<string, unknown>;
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    this.element.focus();
  }

  /** Closes the open panel and gives focus back to what opened it. */
  async hide(): Promise<void> {
    this.#request++;
    if (!this.open) return;
    this.open = undefined;
    this.element = undefined;
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    const opener = this.#opener;
    this.#opener = undefined;
    if (opener?.isConnected) opener.focus();
    else this.#host.focusFallback();
  }

  /**
   * The open panel in its box, with `props` set on it; `onConversation` is called with the
   * conversation a panel asks for (the panel closes then).
   */
  render(props: PanelProps, onConversation: (conversationId: string) => void) {
    const el = this.element;
    if (!el) return nothing;
    Object.assign(el, props);
    return html`<div class="panel" part="panel" @keydown=${this.onKeydown}
      @parley-panel-close=${() => this.hide()}
      @parley-open-conversation=${(e: CustomEvent<{ conversationId: string }>) => {
        onConversation(e.detail.conversationId);
        void this.hide();
      }}>${el}</div>`;
  }

  /** Keydown inside a panel: Escape closes it (and goes no further, so the chat itself stays open). */
  onKeydown = (e: KeyboardEvent): void => {
    if (e.key !== "Escape" || !this.open) return;
    e.stopPropagation();
    e.preventDefault();
    void this.hide();
  };
}
