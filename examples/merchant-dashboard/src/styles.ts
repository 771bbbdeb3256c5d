/** Styles shared by the dashboard's elements: the widget's base (fonts, focus rings, buttons) plus form controls. */

import { base } from "@parley/widget/components";
import { css } from "lit";

export const shared = [
  base,
  css`
    :host {
      --dash-accent: #1d4ed8;
      --dash-border: #c9d0da;
      --dash-muted: #4b5563;
      --dash-surface: #eef1f5;
      --dash-note-bg: #fff7e0;
      --dash-note-fg: #5c3d00;
      --dash-danger: #b91c1c;
    }
    button,
    select,
    input,
    textarea {
      font: inherit;
    }
    .button {
      border: 1px solid var(--dash-border);
      background: #ffffff;
      color: #111827;
      border-radius: 6px;
      padding: 0.3rem 0.7rem;
      cursor: pointer;
    }
    .button.primary {
      background: var(--dash-accent);
      border-color: var(--dash-accent);
      color: #ffffff;
    }
    .button:disabled {
      opacity: 0.6;
      cursor: default;
    }
    input[type="text"],
    input[type="search"],
    input[type="password"],
    select,
    textarea {
      border: 1px solid var(--dash-border);
      border-radius: 6px;
      padding: 0.35rem 0.5rem;
      background: #ffffff;
      color: #111827;
    }
    :focus-visible {
      outline: 2px solid var(--dash-accent);
      outline-offset: 2px;
    }
    .error {
      color: var(--dash-danger);
    }
    .muted {
      color: var(--dash-muted);
    }
    h2 {
      font-size: 1rem;
      margin: 0 0 0.5rem;
    }
    mark {
      background: #fde68a;
      color: inherit;
    }
  `,
];

/** A panel that drops down under the dashboard's top bar (invites, team): a titled header and a list. */
export const panelStyles = css`
  :host {
    display: block;
    background: #ffffff;
    border-block-end: 1px solid var(--dash-border);
    padding: 0.7rem 0.9rem;
    max-height: 45vh;
    overflow-y: auto;
  }
  header {
    display: flex;
    align-items: center;
    gap: 0.5rem;
  }
  header h2 {
    flex: 1;
    margin: 0;
  }
  ul {
    list-style: none;
    margin: 0.5rem 0 0;
    padding: 0;
    display: grid;
  }
`;
