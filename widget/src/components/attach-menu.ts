/**
 * The composer's attach button and its menu (the entries of attach-actions.ts):
 * a menu button (Enter, Space or ArrowDown opens it on the first item, ArrowUp
 * on the last; arrows, Home and End move; Enter or Space picks; Escape closes
 * and focus goes back to the button; Tab or a click outside closes it).
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import type { Translator } from "../i18n/index.js";
import type { AttachAction } from "./attach-actions.js";

type Host = ReactiveControllerHost & HTMLElement & { renderRoot: HTMLElement | DocumentFragment };

/** The attach button and its menu, for a composer. */
export class AttachMenu implements ReactiveController {
  readonly #host: Host;
  readonly #pick: (action: AttachAction) => void;
  #open = false;

  /** `pick` runs an action chosen from the menu. */
  constructor(host: Host, pick: (action: AttachAction) => void) {
    this.#host = host;
    this.#pick = pick;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.#setOpen(false);
  }

  #outside = (e: Event) => {
    if (!e.composedPath().includes(this.#host)) this.#setOpen(false);
  };

  #setOpen(open: boolean): void {
    if (this.#open === open) return;
    this.#open = open;
    if (open) document.addEventListener("pointerdown", this.#outside, true);
    else document.removeEventListener("pointerdown", this.#outside, true);
    this.#host.requestUpdate();
  }

  #items(): HTMLElement[] {
    return [...this.#host.renderRoot.querySelectorAll<HTMLElement>("#attach-menu [role=menuitem]")];
  }

  /** Opens the menu with item `index` focused (-1: the last). */
  async #openAt(index: number): Promise<void> {
    this.#setOpen(true);
    await this.#host.updateComplete;
    const items = this.#items();
    items.at(index)?.focus();
  }

  /** Focus back on the attach button. */
  focusButton(): void {
    this.#host.renderRoot.querySelector<HTMLElement>("[part=attach-button]")?.focus();
  }

  #onButtonKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      void this.#openAt(e.key === "ArrowDown" ? 0 : -1);
    }
  };

  #onMenuKey = (e: KeyboardEvent) => {
    const items = this.#items();
    const at = items.indexOf((this.#host.renderRoot as ShadowRoot).activeElement as HTMLElement);
    const n = items.length;
    const go = (i: number) => {
      e.preventDefault();
      items[(i + n) % n]?.focus();
    };
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(n - 1);
    else if (e.key === "Escape") {
      e.preventDefault();
      this.#setOpen(false);
      this.focusButton();
    } else if (e.key === "Tab") this.#setOpen(false);
  };

  #choose(action: AttachAction): void {
    this.#setOpen(false);
    this.focusButton();
    this.#pick(action);
  }

  /** The button and, while open, the menu. */
  render(tr: Translator, actions: readonly AttachAction[], disabled: boolean): TemplateResult {
    const open = this.#open && !disabled;
    return html`<button type="button" class="icon-button" part="attach-button" aria-label=${tr.t("composer.attach")}
        aria-haspopup="menu" aria-expanded=${open ? "true" : "false"} aria-controls=${open ? "attach-menu" : nothing}
        ?disabled=${disabled} @keydown=${this.#onButtonKey}
        @click=${() => (open ? this.#setOpen(false) : this.#openAt(0))}>
        <svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 5v14M5 12h14" /></svg>
      </button>${
        open
          ? html`<ul role="menu" id="attach-menu" aria-label=${tr.t("composer.attach")} @keydown=${this.#onMenuKey}>
            ${actions.map(
              (a) => html`<li role="menuitem" tabindex="-1" data-action=${a.id}
                @click=${() => this.#choose(a)}
                @keydown=${(e: KeyboardEvent) => {
                  if (e.key !== "Enter" && e.key !== " ") return;
                  e.preventDefault();
                  this.#choose(a);
                }}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${a.icon} /></svg>${tr.t(a.label)}</li>`,
            )}
          </ul>`
          : nothing
      }`;
  }
}
