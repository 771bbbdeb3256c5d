/** Styles of `<parley-message>`, kept apart so the element's file reads as behaviour. */
import { css } from "lit";
import { base } from "../theme.js";

export const styles = [
  base,
  css`
    :host {
      display: block;
      padding-block: 0.15rem;
    }
    .row {
      display: flex;
      flex-direction: column;
      align-items: flex-start;
    }
    :host([own]) .row {
      align-items: flex-end;
    }
    .bubble {
      max-width: min(80%, 36rem);
      padding: 0.5rem 0.75rem;
      border-radius: var(--parley-radius, 12px);
      border-end-start-radius: 4px;
      background: var(--parley-surface, #eef1f5);
      color: var(--parley-fg, #111827);
      overflow-wrap: anywhere;
      margin-inline-end: auto;
      /* Ink that leaves the bubble (hundreds of stacked combining marks: Zalgo text) is cut at its
         padding edge instead of covering the messages around it. */
      overflow: clip;
      overflow-clip-margin: padding-box;
    }
    .text {
      white-space: pre-wrap;
    }
    :host([own]) .bubble {
      background: var(--parley-brand, #1d4ed8);
      color: var(--parley-brand-contrast, #ffffff);
      border-end-start-radius: var(--parley-radius, 12px);
      border-end-end-radius: 4px;
      margin-inline-start: auto;
      margin-inline-end: 0;
    }
    .sender,
    .shared {
      display: block;
      font-size: 0.75rem;
      font-weight: 600;
      margin-block-end: 0.15rem;
    }
    .shared {
      font-weight: 400;
      font-style: italic;
    }
    a {
      color: var(--parley-link, #1d4ed8);
    }
    :host([own]) a {
      color: inherit;
    }
    .system,
    .unreadable {
      font-style: italic;
    }
    .meta {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      font-size: 0.75rem;
      color: var(--parley-muted, #4b5563);
      margin-block-start: 0.15rem;
      padding-inline: 0.25rem;
    }
    .failed {
      color: var(--parley-danger, #b91c1c);
      font-weight: 600;
    }
    .meta button {
      border-color: var(--parley-border, #c9d0da);
      font-size: 0.75rem;
      color: var(--parley-fg, #111827);
    }
    .file {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      white-space: normal;
    }
    .file .name {
      font-weight: 600;
    }
    .file button {
      border-color: currentColor;
    }
    /* Both sides auto: the width and height attributes give the aspect ratio, the limits keep it. */
    img {
      display: block;
      width: auto;
      height: auto;
      max-width: 100%;
      max-height: 16rem;
      border-radius: calc(var(--parley-radius, 12px) / 2);
      margin-block-end: 0.35rem;
    }
  `,
];
