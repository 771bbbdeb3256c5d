/**
 * The base of every on-demand panel (panel-host.ts): the properties the chat
 * sets (`client`, `locale`, `conversationId`), `role="dialog"` with a label,
 * focus delegated to the first control, the close button's event, and the
 * shared styles.
 */
import type { ParleyClient } from "@parley/sdk";
import type { CSSResultGroup, LitElement, PropertyDeclarations, TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";

/** What every panel element has beyond `LitElement`. */
export interface PanelBase extends LitElement {
  /** The chat's client. */
  client: ParleyClient | undefined;
  /** BCP 47 locale of the panel's strings. */
  locale: string;
  /** The conversation the chat shows, if any. */
  conversationId: string | undefined;
  /** Asks the chat to close this panel. */
  close(): void;
  /** Asks the chat to show a conversation (it closes the panel). */
  openConversation(conversationId: string): void;
  /** The panel's title bar: its heading and a close button; labels the dialog with `title`. */
  top(title: string, closeLabel: string): TemplateResult;
}

/** The base class {@link panelElement} makes. */
export type PanelBaseClass = (new () => PanelBase) & {
  /** Lit's reactive properties of the base. */
  properties: PropertyDeclarations;
  /** The shared panel styles. */
  styles: CSSResultGroup;
};

/** The base class of panel elements, made from the kit (panel modules import no lit of their own). */
export function panelElement(kit: PanelKit): PanelBaseClass {
  const { css, html, LitElement, base } = kit;
  /** A panel element: a dialog over the chat's body, labelled by its title. */
  return class PanelElement extends LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      locale: {},
      conversationId: { attribute: false },
    };

    /** @internal Focus goes to the panel's first control. */
    static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

    /** The chat's client. */
    declare client: ParleyClient | undefined;
    /** BCP 47 locale of the panel's strings. */
    declare locale: string;
    /** The conversation the chat shows, if any. */
    declare conversationId: string | undefined;

    constructor() {
      super();
      this.locale = "en";
    }

    /** @internal Shared panel styles. */
    static override styles = [
      base,
      css`
      :host {
        display: block;
        position: absolute;
        inset: 0;
        z-index: 1;
        overflow-y: auto;
        padding: 0 1rem 1rem;
        background: var(--parley-bg, #ffffff);
      }
      .top {
        position: sticky;
        top: 0;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.75rem 0 0.5rem;
        background: var(--parley-bg, #ffffff);
      }
      h2 {
        flex: 1;
        margin: 0;
        font-size: 1.05rem;
      }
      h3 {
        margin: 0 0 0.35rem;
        font-size: 0.95rem;
      }
      section {
        padding: 0.75rem 0;
        border-block-start: 1px solid var(--parley-border, #c9d0da);
      }
      p {
        margin: 0.25rem 0;
      }
      label {
        display: block;
        font-weight: 600;
        margin-block-end: 0.25rem;
      }
      input {
        font: inherit;
        color: inherit;
        background: var(--parley-bg, #ffffff);
        border: 1px solid var(--parley-muted, #4b5563);
        border-radius: calc(var(--parley-radius, 12px) / 2);
        padding: 0.4rem 0.5rem;
        width: 100%;
      }
      input[aria-invalid="true"] {
        border-color: var(--parley-danger, #b91c1c);
      }
      .row {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        flex-wrap: wrap;
        margin-block-start: 0.4rem;
      }
      .row input {
        flex: 1 1 10rem;
        width: auto;
      }
      .primary {
        background: var(--parley-brand, #1d4ed8);
        color: var(--parley-brand-contrast, #ffffff);
      }
      .secondary {
        border-color: var(--parley-muted, #4b5563);
      }
      .muted {
        color: var(--parley-muted, #4b5563);
        font-size: 0.875rem;
      }
      .error {
        color: var(--parley-danger, #b91c1c);
        font-size: 0.875rem;
      }
      .ok {
        font-size: 0.875rem;
      }
      ul {
        margin: 0.25rem 0;
        padding-inline-start: 1.1rem;
      }
      .invites,
      .blocked {
        list-style: none;
        padding: 0;
      }
      .invites > li {
        padding: 0.75rem 0;
        border-block-start: 1px solid var(--parley-border, #c9d0da);
      }
      .blocked > li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        padding: 0.25rem 0;
      }
      .badge {
        display: inline-block;
        padding: 0 0.4rem;
        border-radius: 999px;
        background: var(--parley-surface, #eef1f5);
        border: 1px solid var(--parley-border, #c9d0da);
        font-size: 0.75rem;
        font-weight: 600;
      }
      .danger {
        background: var(--parley-danger, #b91c1c);
        color: var(--parley-bg, #ffffff);
      }
      .confirm {
        margin-block-start: 0.5rem;
        padding: 0.5rem;
        border: 1px solid var(--parley-danger, #b91c1c);
        border-radius: calc(var(--parley-radius, 12px) / 2);
      }
      .convs {
        list-style: none;
        padding: 0;
      }
      .convs > li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
        padding: 0.25rem 0;
      }
    `,
    ];

    override connectedCallback(): void {
      super.connectedCallback();
      this.setAttribute("role", "dialog");
      this.setAttribute("part", "panel");
    }

    /** Asks the chat to close this panel. */
    close(): void {
      this.dispatchEvent(new CustomEvent("parley-panel-close", { bubbles: true, composed: true }));
    }

    /** Asks the chat to show a conversation (it closes the panel). */
    openConversation(conversationId: string): void {
      this.dispatchEvent(
        new CustomEvent("parley-open-conversation", { detail: { conversationId }, bubbles: true, composed: true }),
      );
    }

    /** The panel's title bar: its heading and a close button (first in the focus order). */
    top(title: string, closeLabel: string): TemplateResult {
      this.setAttribute("aria-label", title);
      return html`<div class="top">
      <h2>${title}</h2>
      <button type="button" class="secondary" part="panel-close" @click=${() => this.close()}>${closeLabel}</button>
    </div>`;
    }
  };
}
