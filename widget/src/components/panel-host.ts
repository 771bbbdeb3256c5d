/**
 * A small stand-in for the panel host of `<parley-chat>` (the on-demand panels
 * branch defines the full one; the merge joins them): `openPanel(name)` loads
 * the panel's module with a dynamic `import()` (so its code and strings stay
 * out of the chat's first load), shows it over the messages and moves focus
 * into it; the panel's `parley-panel-close` event (Close, Escape) hides it and
 * gives focus back to whatever opened it.
 */
import type { ParleyClient } from "@parley/sdk";
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from "lit";
import { kit } from "./panel-kit.js";

/** The panels `<parley-chat>` can open. */
export type PanelName = "profile" | "invites" | "members";

/** Loads a panel's module (which defines its element). */
const loaders: Partial<Record<PanelName, () => Promise<unknown>>> = {
  members: () => import("../panels/members-panel.js").then((m) => m.define(kit)),
};

/** Opens and closes the chat's panels; one at a time. */
export class PanelHost {
  readonly #host: ReactiveControllerHost & HTMLElement;
  #opener: HTMLElement | null = null;
  /** The panel shown, if any. */
  open: PanelName | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
  }

  /** Loads and shows a panel, then focuses it; focus goes back to the element focused before on close. */
  async openPanel(name: PanelName): Promise<void> {
    const load = loaders[name];
    if (!load) return;
    const active = this.#host.shadowRoot?.activeElement;
    this.#opener = active instanceof HTMLElement ? active : null;
    await load();
    this.open = name;
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    this.#host.shadowRoot?.querySelector<HTMLElement>(`parley-${name}-panel`)?.focus();
  }

  /** Hides the panel and gives focus back to its opener. */
  async closePanel(): Promise<void> {
    if (!this.open) return;
    this.open = undefined;
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    this.#opener?.focus();
    this.#opener = null;
  }

  /** The open panel's element, for the host's template. */
  render(
    client: ParleyClient | undefined,
    conversationId: string | undefined,
    locale: string,
  ): TemplateResult | typeof nothing {
    if (this.open !== "members") return nothing;
    return html`<parley-members-panel .client=${client} .conversationId=${conversationId}
      .locale=${locale} @parley-panel-close=${() => this.closePanel()}></parley-members-panel>`;
  }
}
