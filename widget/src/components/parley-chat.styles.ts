/** Styles of `<parley-chat>`, kept apart so the element's file reads as behaviour. */
import { css } from "lit";
import { base, palette } from "../theme.js";

export const styles = [
  palette,
  base,
  css`
    :host {
      display: block;
      height: 100%;
      min-height: 20rem;
      background: var(--parley-bg);
      color: var(--parley-fg);
    }
    .frame {
      display: flex;
      flex-direction: column;
      height: 100%;
      border: 1px solid var(--parley-border);
      border-radius: var(--parley-radius, 12px);
      overflow: hidden;
      background: var(--parley-bg);
    }
    header {
      display: flex;
      align-items: center;
      gap: 0.125rem;
      padding: 0.6rem 0.75rem;
      background: var(--parley-brand, #1d4ed8);
      color: var(--parley-brand-contrast, #ffffff);
    }
    header .titles {
      flex: 1;
      min-width: 0;
      margin-inline-end: 0.375rem;
    }
    h2 {
      margin: 0;
      font-size: 1rem;
      overflow: hidden;
      display: -webkit-box;
      -webkit-box-orient: vertical;
      -webkit-line-clamp: 2;
      overflow-wrap: anywhere;
    }
    header parley-presence {
      color: inherit;
      --parley-muted: currentColor;
    }
    .hb {
      position: relative;
      flex: none;
      width: 2.25rem;
      height: 2.25rem;
      padding: 0;
      border-radius: 50%;
      display: grid;
      place-items: center;
    }
    .count {
      position: absolute;
      top: -0.2rem;
      inset-inline-end: -0.2rem;
      min-width: 1.1rem;
      padding: 0 0.25rem;
      border-radius: 999px;
      background: #b3261e;
      color: #fff;
      font-size: 0.7rem;
      font-weight: 700;
      line-height: 1.1rem;
    }
    .body {
      position: relative;
      flex: 1;
      min-height: 0;
      display: flex;
      position: relative;
    }
    .head-button {
      font-size: 0.8125rem;
      padding: 0.25rem 0.6rem;
      border: 1px solid currentColor;
      color: inherit;
      background: transparent;
    }

    parley-conversation-list {
      flex: 0 0 16rem;
      border-inline-end: 1px solid var(--parley-border);
    }
    /* min-height: 0 as well as min-width: the narrow layout stacks .body as a column, where a flex
       item's automatic minimum is its content's height and the messages would push the composer out. */
    .main {
      flex: 1;
      min-width: 0;
      min-height: 0;
      display: flex;
      flex-direction: column;
    }
    parley-message-list {
      flex: 1;
      min-height: 0;
    }
    .state {
      margin: auto;
      padding: 2rem 1rem;
      text-align: center;
    }
    .state button {
      margin-block-start: 0.5rem;
      border-color: var(--parley-border);
    }
    @media (max-width: 479px) {
      :host {
        position: fixed;
        inset: 0;
        z-index: 2147483000;
        min-height: 0;
      }
      .frame {
        border: 0;
        border-radius: 0;
      }
      .body {
        flex-direction: column;
      }
      parley-conversation-list {
        flex: 0 0 auto;
        max-height: 35%;
        border-inline-end: 0;
        border-block-end: 1px solid var(--parley-border);
      }
    }
  `,
];
