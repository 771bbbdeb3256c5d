/** Styles of the call view (ringing, in the call, ended), themed by the chat's custom properties. */
import type { PanelKit } from "../components/panel-kit.js";

/** The call view's styles. Video sits on black in both themes; its captions on a dark scrim. */
export const callStyles = ({ css, base }: PanelKit) => [
  base,
  css`
    :host { display: block; }
    section { background: var(--parley-bg, #fff); color: var(--parley-fg, #111827);
      border-bottom: 1px solid var(--parley-border, #c9d0da); padding: 0.6rem 0.75rem; }
    section:focus { outline: none; }
    section:focus-visible { outline: 2px solid var(--parley-brand, #1d4ed8); outline-offset: -2px; }
    h3 { font-size: 0.9375rem; margin: 0; }
    p { margin: 0.25rem 0; font-size: 0.875rem; }
    .sub { color: var(--parley-muted, #4b5563); font-size: 0.8125rem; }
    .row { display: flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    .spread { justify-content: space-between; }
    button { border: 1px solid var(--parley-border, #c9d0da); background: var(--parley-surface, #eef1f5);
      color: var(--parley-fg, #111827); font-size: 0.875rem; padding: 0.35rem 0.7rem;
      display: inline-flex; gap: 0.35rem; align-items: center; }
    button[aria-pressed="true"] { background: var(--parley-fg, #111827); color: var(--parley-bg, #fff); }
    .accept { background: #166534; border-color: #166534; color: #fff; }
    .decline, .hangup { background: #b91c1c; border-color: #b91c1c; color: #fff; }
    svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2;
      stroke-linecap: round; stroke-linejoin: round; flex: none; }
    .badge { display: inline-flex; gap: 0.2rem; align-items: center; font-size: 0.75rem; font-weight: 600;
      padding: 0.05rem 0.45rem; border-radius: 999px; background: var(--parley-surface, #eef1f5);
      color: var(--parley-fg, #111827); border: 1px solid var(--parley-border, #c9d0da); }
    .badge svg { width: 12px; height: 12px; }
    .ring { animation: ring 1.2s ease-in-out infinite; }
    @keyframes ring { 50% { transform: rotate(-12deg); } }
    @media (prefers-reduced-motion: reduce) { .ring { animation: none; } }
    .tiles { display: grid; gap: 0.4rem; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr)); margin: 0.5rem 0; }
    .tiles:empty { display: none; }
    figure { position: relative; margin: 0; background: #000; border-radius: calc(var(--parley-radius, 12px) / 2);
      overflow: hidden; aspect-ratio: 4 / 3; display: grid; place-items: center; }
    figure video { width: 100%; height: 100%; object-fit: cover; display: block; }
    figure.voice video, figure.off video { position: absolute; width: 1px; height: 1px; opacity: 0; }
    figure.self { position: absolute; inset-inline-end: 0.5rem; top: 0.5rem; width: 28%; min-width: 4.5rem;
      aspect-ratio: 4 / 3; border: 2px solid #fff; z-index: 1; }
    figure.self.alone { position: relative; inset: auto; width: 100%; border: 0; }
    .stage { position: relative; max-width: 36rem; margin-inline: auto; }
    .avatar { width: 3rem; height: 3rem; border-radius: 50%; background: #374151; color: #fff; display: grid;
      place-items: center; font-weight: 700; font-size: 1.25rem; }
    figcaption { position: absolute; inset-inline: 0; bottom: 0; display: flex; gap: 0.3rem; align-items: center;
      flex-wrap: wrap; padding: 0.2rem 0.4rem; background: #000000b3; color: #fff; font-size: 0.75rem; }
    figure.self figcaption { font-size: 0.6875rem; }
    .name { font-weight: 600; }
    .tag { display: inline-flex; gap: 0.15rem; align-items: center; }
    .tag svg, .q svg { width: 12px; height: 12px; }
    .q { margin-inline-start: auto; display: inline-flex; gap: 0.15rem; align-items: center; }
    .q[data-quality="good"] { color: #86efac; }
    .q[data-quality="fair"] { color: #fde68a; }
    .q[data-quality="poor"], .q[data-quality="lost"] { color: #fca5a5; }
    .controls { display: flex; gap: 0.35rem; flex-wrap: wrap; align-items: center; }
    .controls .hangup { margin-inline-start: auto; }
    .duration { font-variant-numeric: tabular-nums; }
    .menu { position: relative; }
    [role="menu"] { position: absolute; bottom: 110%; inset-inline-start: 0; z-index: 2; min-width: 14rem;
      background: var(--parley-bg, #fff); color: var(--parley-fg, #111827); border: 1px solid var(--parley-border, #c9d0da);
      border-radius: calc(var(--parley-radius, 12px) / 2); padding: 0.3rem; box-shadow: 0 4px 14px #0004; }
    [role="menu"] [role="group"] > span { display: block; font-size: 0.75rem; font-weight: 600;
      color: var(--parley-muted, #4b5563); padding: 0.2rem 0.4rem; }
    [role="menuitemradio"] { display: flex; width: 100%; border: 0; background: none; text-align: start;
      padding: 0.3rem 0.4rem; font-size: 0.8125rem; }
    [role="menuitemradio"][aria-checked="true"] { font-weight: 700; }
    [role="menuitemradio"]:hover, [role="menuitemradio"]:focus { background: var(--parley-surface, #eef1f5); }
    .error { color: var(--parley-danger, #b91c1c); font-size: 0.875rem; }
    .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  `,
];
