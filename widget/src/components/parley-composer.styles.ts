/** Styles of `<parley-composer>`, kept apart so the element's file reads as behaviour. */
import { css } from "lit";
import { base } from "../theme.js";

export const styles = [
  base,
  css`
    :host {
      display: block;
      position: relative;
      border-block-start: 1px solid var(--parley-border, #c9d0da);
      background: var(--parley-bg, #ffffff);
    }
    .row {
      display: flex;
      align-items: flex-end;
      gap: 0.35rem;
      padding: 0.5rem;
    }
    textarea {
      flex: 1;
      resize: none;
      font: inherit;
      color: inherit;
      background: var(--parley-bg, #ffffff);
      border: 1px solid var(--parley-border, #c9d0da);
      border-radius: calc(var(--parley-radius, 12px) / 1.5);
      padding: 0.5rem 0.65rem;
      min-height: 2.5rem;
      max-height: 8rem;
      field-sizing: content;
    }
    .icon-button {
      width: 2.5rem;
      height: 2.5rem;
      padding: 0;
      display: inline-grid;
      place-items: center;
      border-radius: 50%;
      color: var(--parley-muted, #4b5563);
    }
    .send {
      background: var(--parley-brand, #1d4ed8);
      color: var(--parley-brand-contrast, #ffffff);
    }
    :host(:dir(rtl)) .send svg {
      transform: scaleX(-1);
    }
    .attachments {
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
      padding: 0.5rem 0.5rem 0;
      margin: 0;
      list-style: none;
    }
    .attachments li {
      display: flex;
      align-items: center;
      gap: 0.35rem;
      max-width: 100%;
      padding: 0.25rem 0.4rem;
      border: 1px solid var(--parley-border, #c9d0da);
      border-radius: calc(var(--parley-radius, 12px) / 2);
      font-size: 0.8rem;
    }
    .attachments img {
      width: 2.5rem;
      height: 2.5rem;
      object-fit: cover;
      border-radius: 4px;
    }
    .attachments .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      max-width: 10rem;
    }
    progress {
      width: 5rem;
      accent-color: var(--parley-brand, #1d4ed8);
    }
    .failed {
      color: var(--parley-danger, #b91c1c);
    }
    [role="listbox"],
    [role="menu"] {
      position: absolute;
      inset-block-end: 100%;
      inset-inline-start: 0.5rem;
      margin: 0;
      padding: 0.25rem;
      list-style: none;
      min-width: 12rem;
      background: var(--parley-bg, #ffffff);
      border: 1px solid var(--parley-border, #c9d0da);
      border-radius: calc(var(--parley-radius, 12px) / 2);
      box-shadow: 0 4px 12px rgb(0 0 0 / 20%);
    }
    [role="menuitem"] {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.4rem 0.5rem;
      border-radius: 4px;
      cursor: pointer;
    }
    [role="menuitem"]:hover,
    [role="menuitem"]:focus {
      background: var(--parley-surface, #eef1f5);
    }
    [role="option"] {
      padding: 0.3rem 0.5rem;
      border-radius: 4px;
      cursor: pointer;
    }
    [role="option"][aria-selected="true"] {
      background: var(--parley-surface, #eef1f5);
      outline: 2px solid var(--parley-brand, #1d4ed8);
    }
    .handle {
      color: var(--parley-muted, #4b5563);
      margin-inline-start: 0.35rem;
    }
    .message {
      margin: 0;
      padding: 0.25rem 0.75rem 0;
      font-size: 0.8rem;
    }
    .message:empty {
      padding: 0;
    }
    .invite-action {
      margin: 0.35rem 0.75rem 0;
      font-size: 0.8125rem;
      border-color: var(--parley-brand, #1d4ed8);
      color: var(--parley-brand, #1d4ed8);
    }
    .drop {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      background: var(--parley-surface, #eef1f5);
      border: 2px dashed var(--parley-brand, #1d4ed8);
      border-radius: calc(var(--parley-radius, 12px) / 2);
    }
  `,
];
