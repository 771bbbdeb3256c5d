/**
 * The panel host of `<parley-chat>`, loaded with the first panel (ADR 0026):
 * the profile, the invites list (with the customer's conversation switcher)
 * and the members panel each live in a module of this folder, fetched with a dynamic
 * `import()` the first time the person opens it. The chat itself keeps only
 * its header buttons and `openPanel`/`closePanel`, which load this module.
 *
 * What it does:
 * - `show(name)` loads the panel's module (once), puts a fresh panel element
 *   over the chat's body (the messages stay mounted, `inert`) and moves focus
 *   into it; `hide()` removes it.
 * - Escape inside a panel, the panel's own close button (`parley-panel-close`)
 *   and opening another panel close it; focus goes back to the control that
 *   opened it (or to the chat's first header button when that is gone).
 * - The panel element gets `client`, `locale` and `conversationId` (the
 *   conversation on screen), kept current on every update of the chat. It may
 *   fire `parley-open-conversation` (detail `{conversationId}`): the chat
 *   switches to that conversation and the panel closes.
 */
import type { ParleyClient } from "@parley/sdk";
import type { ReactiveControllerHost } from "lit";
import type { PanelKit, PanelName } from "../components/panel-kit.js";
import { deepActive } from "../deep-active.js";

/** What a panel module exports: its element's tag and a function that defines it with the kit. */
export interface PanelModule {
  /** The custom element's tag, e.g. `parley-profile-panel`. */
  tag: string;
  /** Registers the element (idempotent), built from the chat's kit. */
  define(kit: PanelKit): void;
}

/**
 * How each panel is fetched. A new panel adds one line here, with a literal path in this folder
 * (the size check counts what these imports reach as "panels").
 */
export const panelLoaders: Partial<Record<PanelName, () => Promise<PanelModule>>> = {
  profile: () => import("./profile-panel.js"),
  invites: () => import("./invites-panel.js"),
  members: () => import("./members-panel.js"),
};

/** The parts of `<parley-chat>` the host works with. */
export interface PanelChat extends ReactiveControllerHost, HTMLElement {
  /** The chat's client. */
  client: ParleyClient | undefined;
  /** The chat's locale. */
  locale: string;
  /** The conversation on screen (set to switch). */
  current: string | undefined;
  /** The open panel (the header marks its button expanded and the messages inert). */
  panel: PanelName | undefined;
  /** The chat's shadow root. */
  readonly renderRoot: HTMLElement | DocumentFragment;
}

type PanelEl = HTMLElement & Record<string, unknown>;

/** Opens, closes and focuses the panels of one `<parley-chat>`. */
export class PanelHost {
  readonly #chat: PanelChat;
  readonly #kit: PanelKit;
  #element: PanelEl | undefined;
  #opener: HTMLElement | undefined;
  #request = 0;

  constructor(chat: PanelChat, kit: PanelKit) {
    this.#chat = chat;
    this.#kit = kit;
    // Keeps the open panel's properties current as the chat changes (locale, client, conversation).
    chat.addController({ hostUpdated: () => this.#sync() });
  }

  /** Loads (once) and shows a panel, moving focus into it; another open panel is replaced. */
  async show(name: PanelName): Promise<void> {
    const load = panelLoaders[name];
    if (!load) throw new Error(`no panel named ${name}`);
    const request = ++this.#request;
    if (!this.#element) this.#opener = deepActive();
    const mod = await load();
    if (request !== this.#request) return;
    mod.define(this.#kit);
    this.#element?.remove();
    const el = document.createElement(mod.tag) as PanelEl;
    el.addEventListener("keydown", (e) => {
      if (e.key !== "Escape") return;
      // Goes no further: the frame closes the whole chat on an Escape that reaches its document.
      e.stopPropagation();
      e.preventDefault();
      void this.hide();
    });
    el.addEventListener("parley-panel-close", () => void this.hide());
    el.addEventListener("parley-open-conversation", (e) => {
      this.#chat.current = (e as CustomEvent<{ conversationId: string }>).detail.conversationId;
      void this.hide();
    });
    this.#element = el;
    this.#sync();
    this.#chat.renderRoot.querySelector(".body")?.append(el);
    this.#chat.panel = name;
    await this.#chat.updateComplete;
    el.focus();
  }

  /** Closes the open panel and gives focus back to what opened it. */
  async hide(): Promise<void> {
    this.#request++;
    const el = this.#element;
    if (!el) return;
    this.#element = undefined;
    el.remove();
    this.#chat.panel = undefined;
    await this.#chat.updateComplete;
    const opener = this.#opener;
    this.#opener = undefined;
    (opener?.isConnected ? opener : this.#chat.renderRoot.querySelector<HTMLElement>("header button"))?.focus();
  }

  #sync(): void {
    const el = this.#element;
    if (!el) return;
    const { client, locale, current } = this.#chat;
    if (el.client !== client) el.client = client;
    if (el.locale !== locale) el.locale = locale;
    if (el.conversationId !== current) el.conversationId = current;
  }
}

/** The host for one chat (the chat keeps it once made). */
export function createHost(chat: PanelChat, kit: PanelKit): PanelHost {
  return new PanelHost(chat, kit);
}
