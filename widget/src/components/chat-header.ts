/**
 * The header of `<parley-chat>`: the shop's name, team presence, the buttons
 * that open panels (panel-host.ts) and the close button. Kept apart from the
 * element so it stays small; everything a panel shows loads on demand.
 */
import type { ParleyClient } from "@parley/sdk";
import { html, nothing } from "lit";
import type { Translator } from "../i18n/index.js";
import type { PanelName } from "./panel-host.js";

/** What the header shows and does. */
export interface HeaderState {
  tr: Translator;
  client: ParleyClient | undefined;
  locale: string;
  title: string;
  /** Which panel buttons to show, in order (the members panel adds `"members"`). */
  panels: PanelName[];
  /** The open panel. */
  open: PanelName | undefined;
  /** Pending invites, shown on the invites button. */
  invites: number;
  /** A panel button was pressed: open that panel, or close it when it is the open one. */
  openPanel(name: PanelName): void;
  /** The close button was pressed. */
  close(): void;
}

/**
 * The panel buttons a chat shows: the conversation switcher for a customer with more than one
 * conversation, the invites unless a guest without any (guests have no handle to be invited by),
 * and the profile.
 */
export function panelButtons(
  mode: "customer" | "agent",
  conversations: number,
  kind: string | undefined,
  invites: number,
): PanelName[] {
  const list: PanelName[] = [];
  if (mode === "customer" && conversations > 1) list.push("conversations");
  if (kind !== "guest" || invites > 0) list.push("invites");
  list.push("profile");
  return list;
}

/** 24x24 stroke icons: a person, an envelope, a list (the members panel adds its own). */
const ICONS: Partial<Record<PanelName, string>> = {
  profile: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0",
  invites: "M3 6h18v12H3zM3 6l9 7 9-7",
  conversations: "M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01",
};

const icon = (d: string) => html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>`;

/** The header bar. */
export function chatHeader(s: HeaderState) {
  const { tr } = s;
  const label = (name: PanelName) =>
    name === "invites" && s.invites > 0
      ? tr.t("chat.menu.invitesPending", { count: s.invites })
      : name === "conversations"
        ? tr.t("chat.conversations")
        : tr.t(`chat.menu.${name as "profile" | "invites"}`);
  return html`<header part="header">
    <div class="titles">
      <h2 part="title">${s.title}</h2>
      <parley-presence exportparts="presence" .client=${s.client} .locale=${s.locale}></parley-presence>
    </div>
    ${s.panels.map(
      (name) => html`<button type="button" class="hb" part="panel-button" data-panel=${name}
        aria-label=${label(name)} aria-expanded=${s.open === name ? "true" : "false"}
        @click=${() => s.openPanel(name)}>
        ${icon(ICONS[name] ?? "")}${
          name === "invites" && s.invites > 0
            ? html`<span class="count" part="invite-badge" aria-hidden="true">${s.invites > 99 ? "99+" : s.invites}</span>`
            : nothing
        }
      </button>`,
    )}
    <button type="button" class="hb close" part="close-button" aria-label=${tr.t("chat.close")} @click=${s.close}>
      ${icon("M6 6l12 12M18 6 6 18")}
    </button>
  </header>`;
}
