/** Styles shared by the on-demand panels (the invite confirmation and the members panel). */
import type { PanelKit } from "./kit.js";

/** Buttons, badges, alerts and focus rings of the panels, on the palette custom properties. */
export const panelStyles = ({ css }: PanelKit) => css`
  :host {
    font-family: var(--parley-font, system-ui, sans-serif);
    color: var(--parley-fg, #111827);
  }
  h2,
  h3 {
    margin: 0 0 0.5rem;
    font-size: 1rem;
  }
  h3 {
    font-size: 0.875rem;
    margin-block-start: 1rem;
  }
  button {
    font: inherit;
    font-size: 0.875rem;
    min-height: 2.25rem;
    padding: 0.3rem 0.8rem;
    border-radius: 6px;
    border: 1px solid var(--parley-border, #c9d0da);
    background: var(--parley-bg, #ffffff);
    color: var(--parley-fg, #111827);
    cursor: pointer;
  }
  button.primary {
    background: var(--parley-brand, #1d4ed8);
    border-color: var(--parley-brand, #1d4ed8);
    color: var(--parley-brand-contrast, #ffffff);
  }
  button.danger {
    color: var(--parley-danger, #b91c1c);
    border-color: currentColor;
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  :focus-visible {
    outline: 3px solid var(--parley-brand, #1d4ed8);
    outline-offset: 2px;
  }
  .handle,
  .muted {
    color: var(--parley-muted, #4b5563);
    font-size: 0.875rem;
  }
  .badge {
    display: inline-block;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.05rem 0.45rem;
    border-radius: 999px;
    background: var(--parley-surface, #eef1f5);
    color: var(--parley-fg, #111827);
    border: 1px solid var(--parley-border, #c9d0da);
  }
  .badge.team {
    background: var(--parley-brand, #1d4ed8);
    border-color: var(--parley-brand, #1d4ed8);
    color: var(--parley-brand-contrast, #ffffff);
  }
  .error {
    color: var(--parley-danger, #b91c1c);
    font-weight: 600;
    margin: 0.5rem 0;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    justify-content: flex-end;
    margin-block-start: 0.75rem;
  }
`;
