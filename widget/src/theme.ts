/**
 * Theming for the widget's components. Shops set the public custom properties
 * (`--parley-brand`, `--parley-brand-contrast`, `--parley-radius`,
 * `--parley-font`, `--parley-position`) anywhere above the element. The root
 * `<parley-chat>` turns its `theme` attribute (`light`, `dark`, `auto` =
 * follow `prefers-color-scheme`) into the palette properties below, which
 * inherit into every nested shadow root; each component falls back to the
 * light palette when used on its own. Every pair used for text meets 4.5:1.
 */
import { css } from "lit";

const light = css`
  --parley-bg: #ffffff;
  --parley-fg: #111827;
  --parley-muted: #4b5563;
  --parley-surface: #eef1f5;
  --parley-border: #c9d0da;
  --parley-link: #1d4ed8;
  --parley-danger: #b91c1c;
  --parley-notice-bg: #fff7e0;
  --parley-notice-fg: #5c3d00;
`;

const dark = css`
  --parley-bg: #111827;
  --parley-fg: #f3f4f6;
  --parley-muted: #b4bcc8;
  --parley-surface: #1f2937;
  --parley-border: #4b5563;
  --parley-link: #93c5fd;
  --parley-danger: #fca5a5;
  --parley-notice-bg: #3b2f0b;
  --parley-notice-fg: #fde68a;
`;

/** Applied by the root element: the palette for its `theme` attribute. */
export const palette = css`
  :host {
    ${light}
    color-scheme: light;
  }
  :host([theme="dark"]) {
    ${dark}
    color-scheme: dark;
  }
  @media (prefers-color-scheme: dark) {
    :host([theme="auto"]) {
      ${dark}
      color-scheme: dark;
    }
  }
`;

/** Shared by every component: fonts, focus rings, buttons, visually hidden text. */
export const base = css`
  :host {
    font-family: var(--parley-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
    color: var(--parley-fg, #111827);
    box-sizing: border-box;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
    border: 1px solid transparent;
    background: none;
    border-radius: calc(var(--parley-radius, 12px) / 2);
    padding: 0.25rem 0.5rem;
  }
  button:disabled {
    cursor: default;
    opacity: 0.6;
  }
  :focus-visible {
    outline: 2px solid var(--parley-brand, #1d4ed8);
    outline-offset: 2px;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
  .icon {
    width: 1.25rem;
    height: 1.25rem;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
    vertical-align: middle;
  }
`;
