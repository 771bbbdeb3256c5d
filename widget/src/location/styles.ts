/**
 * Styles of the location card and the share dialog, themed by the chat's custom
 * properties (the timeline line's are in components/board-view.ts).
 */
import { cardFrameStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";

const shared = ({ css }: PanelKit) => css`
  button { font: inherit; font-size: 0.875rem; border: 1px solid var(--parley-border, #c9d0da);
    background: var(--parley-surface, #eef1f5); color: var(--parley-fg, #111827); padding: 0.35rem 0.7rem;
    border-radius: calc(var(--parley-radius, 12px) / 2); cursor: pointer; }
  button[aria-disabled="true"] { opacity: 0.6; cursor: progress; }
  .primary { background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); border-color: transparent; }
  .error { color: var(--parley-danger, #b91c1c); font-size: 0.875rem; margin: 0.4rem 0 0; }
  .sub { font-size: 0.8125rem; color: var(--parley-muted, #4b5563); margin: 0.25rem 0; }
`;

/** The card's styles. */
export const cardStyles = (kit: PanelKit) => [
  kit.base,
  shared(kit),
  cardFrameStyles(kit),
  kit.css`
    :host { display: block; width: 100%; max-width: 22rem; }
    header { display: flex; align-items: center; gap: 0.5rem; justify-content: space-between; flex-wrap: wrap; }
    h3 { font-size: 1rem; margin: 0; display: flex; align-items: center; gap: 0.35rem; }
    h3 svg { width: 1.1rem; height: 1.1rem; fill: none; stroke: currentColor; stroke-width: 2; flex: none; }
    .badge { font-size: 0.75rem; font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 999px;
      background: var(--parley-danger, #b91c1c); color: var(--parley-bg, #fff); }
    .shop { font-weight: 600; color: var(--parley-fg, #111827); }
    .over { font-size: 0.8125rem; font-weight: 600; color: var(--parley-muted, #4b5563); margin: 0.35rem 0 0; }
    dl { margin: 0.4rem 0 0; display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.6rem; font-size: 0.875rem; }
    dt { color: var(--parley-muted, #4b5563); }
    dd { margin: 0; font-variant-numeric: tabular-nums; }
    .links { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; margin: 0.5rem 0 0; font-size: 0.875rem; }
    .links span { color: var(--parley-muted, #4b5563); }
    a { color: var(--parley-link, #1d4ed8); }
    .actions { display: flex; flex-wrap: wrap; gap: 0.35rem; margin-top: 0.5rem; }
    .map { height: 9rem; margin-top: 0.5rem; border-radius: calc(var(--parley-radius, 12px) / 2);
      border: 1px solid var(--parley-border, #c9d0da); background: var(--parley-surface, #eef1f5); position: relative; }
    .attribution { font-size: 0.6875rem; color: var(--parley-muted, #4b5563); margin: 0.15rem 0 0; }
  `,
];

/** The share dialog's styles. */
export const dialogStyles = (kit: PanelKit) => [
  kit.base,
  shared(kit),
  kit.css`
    dialog { background: var(--parley-bg, #fff); color: var(--parley-fg, #111827); border: 1px solid var(--parley-border, #c9d0da);
      border-radius: var(--parley-radius, 12px); width: min(24rem, calc(100vw - 2rem)); padding: 1rem; }
    dialog::backdrop { background: rgb(0 0 0 / 0.4); }
    h2 { font-size: 1.0625rem; margin: 0 0 0.25rem; }
    form { display: flex; flex-direction: column; gap: 0.6rem; margin-top: 0.6rem; }
    fieldset { border: 1px solid var(--parley-border, #c9d0da); border-radius: calc(var(--parley-radius, 12px) / 2);
      margin: 0; padding: 0.5rem 0.75rem 0.75rem; display: flex; flex-direction: column; gap: 0.4rem; }
    legend { font-weight: 600; font-size: 0.9375rem; padding: 0 0.25rem; }
    .durations { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; border: 0; padding: 0; }
    .durations legend { font-weight: 400; font-size: 0.8125rem; color: var(--parley-muted, #4b5563); padding: 0; }
    label { display: inline-flex; align-items: center; gap: 0.3rem; font-size: 0.875rem; }
    .end { display: flex; justify-content: flex-end; }
  `,
];
