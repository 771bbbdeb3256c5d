/** Styles of `<parley-message-list>`, kept apart so the element's file reads as behaviour. */
import { css } from "lit";
import { base } from "../theme.js";

export const styles = [
  base,
  css`
    :host {
      display: flex;
      flex-direction: column;
      min-height: 0;
      position: relative;
    }
    .log {
      flex: 1;
      min-height: 0;
      overflow-y: auto;
      overflow-anchor: none;
      padding: 0.5rem 0.75rem;
      overscroll-behavior: contain;
      display: flex;
      flex-direction: column;
    }
    /* A short conversation sits at the bottom, next to the composer. The content box is what the
       list watches for growth (an image that finishes loading) to stay at the bottom. */
    .content {
      margin-block-start: auto;
      display: flow-root;
    }
    .empty > :first-child {
      margin-block-start: auto;
    }
    .day,
    .note {
      text-align: center;
      font-size: 0.75rem;
      color: var(--parley-muted, #4b5563);
      margin-block: 0.5rem;
    }
    .pill {
      position: absolute;
      z-index: 1;
      inset-block-end: 0.75rem;
      inset-inline-start: 50%;
      transform: translateX(-50%);
      background: var(--parley-brand, #1d4ed8);
      color: var(--parley-brand-contrast, #ffffff);
      border-radius: 999px;
      padding: 0.3rem 0.9rem;
      box-shadow: 0 2px 6px rgb(0 0 0 / 25%);
    }
    :host(:dir(rtl)) .pill {
      transform: translateX(50%);
    }
    .empty {
      margin: auto;
      text-align: center;
      padding: 2rem 1rem;
    }
    .empty h2 {
      font-size: 1.1rem;
      margin: 0 0 0.35rem;
    }
    .empty p {
      margin: 0;
      color: var(--parley-muted, #4b5563);
      font-size: 0.875rem;
    }
  `,
];
