/** Styles of `<parley-card>`, themed by the chat's custom properties (the note line's are in components/board-view.ts). */
import { cardFrameStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";

/** The card element's styles, built with the kit's css tag. */
export const cardStyles = (kit: PanelKit) => [
  kit.base,
  cardFrameStyles(kit),
  kit.css`
    :host { display: block; width: 100%; max-width: 28rem; }
    header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.5rem; justify-content: space-between; }
    h3 { font-size: 1rem; margin: 0; }
    h4 { font-size: 0.875rem; margin: 0.5rem 0 0.25rem; }
    .mark { font-size: 0.75rem; font-weight: 600; padding: 0.05rem 0.4rem; border-radius: 999px;
      background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); }
    .by, .sub, .why { font-size: 0.8125rem; color: var(--parley-muted, #4b5563); }
    p { margin: 0.25rem 0; }
    ul { list-style: none; margin: 0; padding: 0; }
    .lines li { display: flex; align-items: center; gap: 0.5rem; padding: 0.35rem 0; flex-wrap: wrap;
      border-bottom: 1px solid var(--parley-border, #c9d0da); }
    .lines img { border-radius: 4px; object-fit: cover; flex: none; }
    .what { display: flex; flex-direction: column; flex: 1 1 8rem; min-width: 0; }
    .amount { font-variant-numeric: tabular-nums; white-space: nowrap; margin-inline-start: auto; }
    dl { margin: 0.35rem 0 0; }
    dl div { display: flex; justify-content: space-between; gap: 0.5rem; font-size: 0.875rem; }
    dd { margin: 0; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .total { font-weight: 700; font-size: 0.9375rem; }
    .steps { list-style: none; display: flex; flex-wrap: wrap; gap: 0.25rem; padding: 0; margin: 0.5rem 0 0; }
    .steps li { font-size: 0.75rem; padding: 0.1rem 0.45rem; border-radius: 999px; border: 1px solid var(--parley-border, #c9d0da);
      color: var(--parley-muted, #4b5563); }
    .steps .done { color: var(--parley-fg, #111827); }
    .steps .current { background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff);
      border-color: transparent; font-weight: 600; }
    .status { font-weight: 600; font-size: 0.875rem; }
    .actions { display: flex; flex-wrap: wrap; gap: 0.35rem; margin-top: 0.5rem; }
    .lines .actions { margin-top: 0; flex-basis: 100%; justify-content: flex-end; }
    button, .button { border: 1px solid var(--parley-border, #c9d0da); background: var(--parley-surface, #eef1f5);
      color: var(--parley-fg, #111827); font-size: 0.875rem; text-decoration: none; padding: 0.3rem 0.6rem;
      border-radius: calc(var(--parley-radius, 12px) / 2); display: inline-block; }
    .primary { background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); border-color: transparent; }
    .stepper { display: inline-flex; align-items: center; gap: 0.2rem; }
    .stepper button { min-width: 2rem; padding: 0.15rem 0.4rem; }
    input, select { font: inherit; color: inherit; background: var(--parley-bg, #fff); border: 1px solid var(--parley-border, #c9d0da);
      border-radius: 4px; padding: 0.2rem 0.35rem; max-width: 100%; min-width: 0; }
    form label:not(.check) > input, form select { width: 100%; }
    .stepper input { width: 3.2rem; text-align: center; }
    form { display: flex; flex-direction: column; gap: 0.4rem; margin-top: 0.5rem; }
    form label { display: flex; flex-direction: column; font-size: 0.8125rem; gap: 0.15rem; }
    form label.check { flex-direction: row; align-items: center; gap: 0.35rem; font-size: 0.875rem; }
    fieldset { border: 1px solid var(--parley-border, #c9d0da); border-radius: 4px; margin: 0; padding: 0.35rem 0.5rem; min-width: 0; }
    legend { font-size: 0.8125rem; }
    .row { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: flex-end; }
    .grow { flex: 1 1 8rem; }
    .amount-input { width: 6rem; }
    .error { color: var(--parley-danger, #b91c1c); font-size: 0.875rem; }
    .picker { border-top: 1px solid var(--parley-border, #c9d0da); padding-top: 0.5rem; }
    .team { border-top: 1px dashed var(--parley-border, #c9d0da); margin-top: 0.5rem; }
    form.team-form { flex-direction: row; flex-wrap: wrap; align-items: flex-end; gap: 0.35rem; margin-top: 0.4rem; }
    .lines .team-form { flex-basis: 100%; margin-top: 0; }
    .team-form .error { flex-basis: 100%; margin: 0; }
    .team-form .url { flex-basis: 13rem; }
    [aria-invalid="true"] { border-color: var(--parley-danger, #b91c1c); }
    [aria-disabled="true"] { opacity: 0.6; cursor: progress; }
    dialog { background: var(--parley-bg, #fff); color: var(--parley-fg, #111827); border: 1px solid var(--parley-border, #c9d0da);
      border-radius: var(--parley-radius, 12px); width: min(26rem, calc(100vw - 2rem)); padding: 0.75rem; }
    dialog::backdrop { background: rgb(0 0 0 / 0.4); }
    a { color: var(--parley-link, #1d4ed8); }
    .button.primary { color: var(--parley-brand-contrast, #fff); }
  `,
];
