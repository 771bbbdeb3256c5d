import { css, html, LitElement, nothing } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";

/**
 * `<parley-typing-indicator>`: "Ada is typing…" for the names it is given
 * (one, two, or "several people"); empty and silent when nobody types.
 *
 * @csspart typing - the line of text
 */
export class ParleyTypingIndicator extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = { names: { attribute: false }, locale: {} };
  /** Display names of the people typing now. */
  declare names: readonly string[];
  /** BCP 47 locale of the element's strings: `en` and `de` have catalogs, others fall back to English. */
  declare locale: string;

  constructor() {
    super();
    this.names = [];
    this.locale = "en";
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */

  static override styles = [
    base,
    css`
      :host {
        display: block;
        min-height: 1.25rem;
        font-size: 0.8rem;
        color: var(--parley-muted, #4b5563);
        padding-inline: 0.75rem;
      }
      .dots::after {
        content: "";
        display: inline-block;
        width: 0.4rem;
      }
    `,
  ];

  #text(): string {
    const tr = translator(this.locale);
    const [first, second] = this.names;
    if (first === undefined) return "";
    if (second === undefined) return tr.t("typing.one", { name: first });
    if (this.names.length === 2) return tr.t("typing.two", { name: first, other: second });
    return tr.t("typing.many");
  }

  protected override render() {
    const text = this.#text();
    return html`<div part="typing" aria-live="polite">${text ? html`<span class="dots">${text}</span>` : nothing}</div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-typing-indicator": ParleyTypingIndicator;
  }
}
