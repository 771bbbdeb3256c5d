/** Styles of the listen elements, themed by the chat's custom properties (the end line's are in components/board-view.ts). */
import { cardFrameStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";

/** Buttons, inputs and the error line, shared by the card, the bar and the picker. */
const controls = ({ css }: PanelKit) => css`
  button { border: 1px solid var(--parley-border, #c9d0da); background: var(--parley-surface, #eef1f5);
    color: var(--parley-fg, #111827); font: inherit; font-size: 0.875rem; padding: 0.3rem 0.6rem;
    border-radius: calc(var(--parley-radius, 12px) / 2); cursor: pointer; }
  button[disabled] { opacity: 0.6; cursor: default; }
  .primary { background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); border-color: transparent; }
  .error { color: var(--parley-danger, #b91c1c); font-size: 0.875rem; margin: 0.25rem 0 0; }
  .sub { font-size: 0.8125rem; color: var(--parley-muted, #4b5563); margin: 0.25rem 0; }
  :focus-visible { outline: 2px solid var(--parley-brand, #1d4ed8); outline-offset: 2px; }
`;

/** The session card's styles. */
export const cardStyles = (kit: PanelKit) => [
  kit.base,
  controls(kit),
  cardFrameStyles(kit),
  kit.css`
    :host { display: block; width: 100%; max-width: 28rem; }
    h3 { font-size: 1rem; margin: 0 0 0.35rem; }
    ol { margin: 0; padding-inline-start: 1.4rem; font-size: 0.875rem; }
    li { padding: 0.15rem 0; }
    li[aria-current] { font-weight: 600; }
    .len { color: var(--parley-muted, #4b5563); font-variant-numeric: tabular-nums; }
    .now { white-space: nowrap; font-size: 0.75rem; font-weight: 600; margin-inline-start: 0.35rem; padding: 0 0.4rem;
      border-radius: 999px; background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); }
    .actions { display: flex; gap: 0.4rem; margin-top: 0.5rem; align-items: center; flex-wrap: wrap; }
    .ended { font-weight: 600; font-size: 0.875rem; }
  `,
];

/** The player bar's styles. */
export const barStyles = (kit: PanelKit) => [
  kit.base,
  controls(kit),
  kit.css`
    :host { display: block; }
    section { display: grid; grid-template-columns: 1fr auto; gap: 0.3rem 0.5rem; align-items: center;
      padding: 0.5rem 0.75rem; background: var(--parley-surface, #eef1f5); color: var(--parley-fg, #111827);
      border-block-end: 1px solid var(--parley-border, #c9d0da); }
    .what { min-width: 0; }
    .title { font-weight: 600; font-size: 0.875rem; margin: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .artist, .who { font-size: 0.75rem; color: var(--parley-muted, #4b5563); margin: 0; white-space: nowrap;
      overflow: hidden; text-overflow: ellipsis; }
    .buttons { display: flex; gap: 0.25rem; align-items: center; }
    .buttons button { padding: 0.3rem; }
    .seek { grid-column: 1 / -1; display: flex; align-items: center; gap: 0.5rem; font-size: 0.75rem;
      font-variant-numeric: tabular-nums; color: var(--parley-muted, #4b5563); }
    .seek input { flex: 1; min-width: 0; accent-color: var(--parley-brand, #1d4ed8); }
    .foot { grid-column: 1 / -1; display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    .foot .who { flex: 1; min-width: 6rem; }
    .foot button { font-size: 0.8125rem; padding: 0.2rem 0.5rem; }
    .resume { grid-column: 1 / -1; }
    .error { grid-column: 1 / -1; }
  `,
];

/** The picker's styles. */
export const pickerStyles = (kit: PanelKit) => [
  kit.base,
  controls(kit),
  kit.css`
    dialog { background: var(--parley-bg, #fff); color: var(--parley-fg, #111827); border: 1px solid var(--parley-border, #c9d0da);
      border-radius: var(--parley-radius, 12px); width: min(26rem, calc(100vw - 2rem)); padding: 0.75rem;
      max-height: calc(100vh - 2rem); overflow-y: auto; }
    dialog::backdrop { background: rgb(0 0 0 / 0.4); }
    h2 { font-size: 1.05rem; margin: 0 0 0.5rem; }
    fieldset { border: 1px solid var(--parley-border, #c9d0da); border-radius: 4px; margin: 0 0 0.5rem;
      padding: 0.35rem 0.5rem; min-width: 0; }
    legend { font-size: 0.8125rem; font-weight: 600; }
    ul { list-style: none; margin: 0; padding: 0; }
    label.check { display: flex; gap: 0.4rem; align-items: baseline; font-size: 0.875rem; padding: 0.15rem 0; }
    .len { color: var(--parley-muted, #4b5563); font-variant-numeric: tabular-nums; }
    .field { display: flex; flex-direction: column; gap: 0.15rem; font-size: 0.8125rem; margin-bottom: 0.35rem; }
    input[type=url], input[type=text] { font: inherit; color: inherit; background: var(--parley-bg, #fff);
      border: 1px solid var(--parley-border, #c9d0da); border-radius: 4px; padding: 0.25rem 0.4rem; min-width: 0; }
    [aria-invalid="true"] { border-color: var(--parley-danger, #b91c1c); }
    .queue li { display: flex; justify-content: space-between; gap: 0.5rem; align-items: center; font-size: 0.875rem;
      padding: 0.15rem 0; }
    .row { display: flex; gap: 0.4rem; justify-content: flex-end; flex-wrap: wrap; margin-top: 0.5rem; }
    .queue-title { font-size: 0.8125rem; font-weight: 600; margin: 0.25rem 0; }
  `,
];
