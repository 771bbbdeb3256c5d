/**
 * The header of `<parley-chat>`: the shop's name, team presence, the buttons
 * that open panels (panels/panel-host.ts) and the close button. Written
 * compactly: it is part of the chat's first load, everything a panel shows
 * loads on demand.
 */
import type { ParleyClient } from "@parley/sdk";
import { html, nothing } from "lit";
import type { Translator } from "../i18n/index.js";
import type { PanelName } from "./panel-kit.js";

/** What the header shows and does. */
export interface HeaderState {
  tr: Translator;
  client: ParleyClient | undefined;
  locale: string;
  title: string;
  /** The open panel. */
  open: PanelName | undefined;
  /** Pending invites, shown on the invites button. */
  invites: number;
  /** A guest (no handle, so never invited): no invites button unless one is pending. */
  guest: boolean;
  /** A panel button was pressed: open that panel, or close it when it is the open one. */
  openPanel(name: PanelName): void;
  /** The close button was pressed. */
  close(): void;
  /** A conversation is on screen: the members button shows. */
  members: boolean;
  /** The voice and video call buttons (calls-hook.ts), first of the buttons; `nothing` when calls are unavailable. */
  calls: unknown;
}

/** The header bar. A new panel adds a `button(name, label, icon path)` before the profile's. */
export function chatHeader(h: HeaderState) {
  const { tr, invites: n } = h;
  const button = (name: PanelName, label: string, d: string, badge: unknown = nothing) =>
    html`<button type="button" class="hb" part="panel-button" data-panel=${name} aria-label=${label} aria-expanded=${h.open === name} @click=${() => h.openPanel(name)}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>${badge}</button>`;
  return html`<header part="header"><div class="titles"><h2 part="title">${h.title}</h2><parley-presence exportparts="presence" .client=${h.client} .locale=${h.locale}></parley-presence></div>${h.calls}${
    h.guest && !n
      ? nothing
      : button(
          "invites",
          n ? tr.t("chat.menu.invitesPending", { count: n }) : tr.t("chat.menu.invites"),
          "M3 6h18v12H3zM3 6l9 7 9-7",
          n ? html`<span class="count" part="invite-badge" aria-hidden="true">${n > 99 ? "99+" : n}</span>` : nothing,
        )
  }${h.members ? button("members", tr.t("chat.members"), "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M21 20a6 6 0 0 0-4-5.7") : nothing}${button("profile", tr.t("chat.menu.profile"), "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0")}<button type="button" class="hb close" part="close-button" aria-label=${tr.t("chat.close")} @click=${h.close}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6 6 18" /></svg></button></header>`;
}
