/**
 * The dashboard's entry: registers the widget's `parley-*` elements and the
 * dashboard's own, picks the strings' language from the browser, and mounts
 * `<dashboard-app>` with the page's settings.
 */
import { defineParleyElements } from "@parley/widget/components";
import { readConfig } from "./config.js";
import { DashboardApp } from "./dashboard-app.js";
import { DashboardConversation } from "./dashboard-conversation.js";
import { DashboardCustomer } from "./dashboard-customer.js";
import { DashboardInbox } from "./dashboard-inbox.js";
import { DashboardInviteDialog } from "./dashboard-invite-dialog.js";
import { DashboardInvites } from "./dashboard-invites.js";
import { DashboardLogin } from "./dashboard-login.js";
import { DashboardMembers } from "./dashboard-members.js";
import { DashboardNotes } from "./dashboard-notes.js";
import { DashboardTeam } from "./dashboard-team.js";
import { DashboardWebhooks } from "./dashboard-webhooks.js";
import { setLocale } from "./i18n.js";

const elements = {
  "dashboard-app": DashboardApp,
  "dashboard-login": DashboardLogin,
  "dashboard-inbox": DashboardInbox,
  "dashboard-conversation": DashboardConversation,
  "dashboard-customer": DashboardCustomer,
  "dashboard-notes": DashboardNotes,
  "dashboard-members": DashboardMembers,
  "dashboard-invites": DashboardInvites,
  "dashboard-invite-dialog": DashboardInviteDialog,
  "dashboard-team": DashboardTeam,
  "dashboard-webhooks": DashboardWebhooks,
} as const;

defineParleyElements();
for (const [tag, element] of Object.entries(elements))
  if (!customElements.get(tag)) customElements.define(tag, element);

setLocale(navigator.language);
document.documentElement.lang = navigator.language.split("-")[0] ?? "en";
const app = document.createElement("dashboard-app");
app.config = readConfig();
document.body.append(app);
