/**
 * The dashboard's strings: English and German, a `{name}` fill-in, and the
 * locale picked from the browser. `t()` falls back to English for a missing
 * German string and to the key itself for an unknown one.
 */
const en = {
  "app.title": "Parley dashboard",
  "login.title": "Sign in to answer customers",
  "login.shop": "Shop id",
  "login.login": "Login",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.busy": "Signing in…",
  "login.failed": "Sign-in failed: {reason}",
  "login.resuming": "Restoring your session…",
  logout: "Log out",
  "logout.forget": "Log out and remove this device's keys",
  "team.waiting":
    "Waiting for an admin to approve this device. Conversations open once an admin's dashboard is online.",
  "team.noKey": "Waiting for an admin to set up the team's encryption key (an admin signs in first).",
  "team.approved": "New team device approved: {device}. It can now read the shop's conversations.",
  "team.ready": "This device holds the team key.",
  "notify.enable": "Enable sound and notifications",
  "notify.enabled": "Sound and notifications on",
  "notify.denied": "Notifications are blocked in this browser; the sound still plays.",
  "notify.title": "New message from {name}",
  "inbox.label": "Conversations",
  "inbox.filters": "Filter conversations",
  "filter.open": "Open",
  "filter.mine": "Mine",
  "filter.unassigned": "Unassigned",
  "filter.closed": "Closed",
  "inbox.empty": "No conversations here.",
  "inbox.unread": "{count} unread",
  "inbox.assignee": "Assigned to {name}",
  "inbox.unassigned": "Unassigned",
  "inbox.closed": "Closed",
  "inbox.noPreview": "No messages yet",
  "inbox.unreadable": "Encrypted message (this device has no key for it yet)",
  "inbox.file": "File: {name}",
  "search.label": "Search loaded messages",
  "search.placeholder": "Search…",
  "search.note":
    "Searches only what this browser has decrypted. The server stores ciphertext and cannot search your conversations.",
  "search.matches": "{count} matching messages in this conversation",
  "search.none": "No loaded message matches “{query}”.",
  "conv.none": "Pick a conversation from the inbox.",
  "conv.assignMe": "Assign to me",
  "conv.unassign": "Unassign",
  "conv.assignTo": "Assign to a colleague",
  "conv.assignPick": "Choose…",
  "conv.close": "Close conversation",
  "conv.reopen": "Reopen",
  "conv.status.open": "Open",
  "conv.status.closed": "Closed",
  "conv.canned": "Canned replies",
  "conv.cannedPick": "Insert a canned reply…",
  "conv.failed": "That did not work: {reason}",
  "customer.title": "Customer",
  "customer.name": "Name",
  "customer.externalId": "Shop customer id",
  "customer.handle": "Handle",
  "customer.firstSeen": "First seen",
  "customer.none": "—",
  "invite.title": "Invite a colleague",
  "invite.handle": "Colleague's handle",
  "invite.submit": "Invite",
  "invite.done": "Invited {handle}.",
  "invite.failed.unknown_handle": "Could not invite {handle}: no one has that handle.",
  "invite.failed.already_member": "{handle} is already in this conversation.",
  "invite.failed.forbidden": "Could not invite {handle}: you are not allowed to invite people to this conversation.",
  "invite.failed.rate_limited": "Could not invite {handle}: too many invites. Try again in {seconds} s.",
  "invite.failed.offline": "Could not invite {handle}: the dashboard is offline.",
  "invite.failed.other": "Could not invite {handle}. Please try again.",
  "notes.title": "Internal notes",
  "notes.banner": "Internal note — customers never see this",
  "notes.add": "Add note",
  "notes.label": "New internal note",
  "notes.empty": "No notes yet.",
  you: "you",
} as const;

export type MessageKey = keyof typeof en;
type Catalog = Partial<Record<MessageKey, string>>;

const de: Catalog = {
  "app.title": "Parley-Dashboard",
  "login.title": "Anmelden und Kunden antworten",
  "login.shop": "Shop-ID",
  "login.login": "Login",
  "login.password": "Passwort",
  "login.submit": "Anmelden",
  "login.busy": "Anmeldung…",
  "login.failed": "Anmeldung fehlgeschlagen: {reason}",
  "login.resuming": "Sitzung wird wiederhergestellt…",
  logout: "Abmelden",
  "logout.forget": "Abmelden und Schlüssel dieses Geräts löschen",
  "team.waiting":
    "Dieses Gerät wartet auf die Freigabe durch einen Admin. Unterhaltungen öffnen sich, sobald ein Admin-Dashboard online ist.",
  "team.noKey": "Warten, bis ein Admin den Team-Schlüssel einrichtet (ein Admin meldet sich zuerst an).",
  "team.approved": "Neues Team-Gerät freigegeben: {device}. Es kann jetzt die Unterhaltungen des Shops lesen.",
  "notify.enable": "Ton und Benachrichtigungen einschalten",
  "notify.enabled": "Ton und Benachrichtigungen an",
  "notify.title": "Neue Nachricht von {name}",
  "inbox.label": "Unterhaltungen",
  "filter.open": "Offen",
  "filter.mine": "Meine",
  "filter.unassigned": "Nicht zugewiesen",
  "filter.closed": "Geschlossen",
  "inbox.empty": "Keine Unterhaltungen.",
  "inbox.unread": "{count} ungelesen",
  "inbox.assignee": "Zugewiesen an {name}",
  "inbox.unassigned": "Nicht zugewiesen",
  "search.placeholder": "Suchen…",
  "search.note":
    "Durchsucht nur, was dieser Browser entschlüsselt hat. Der Server speichert Chiffretext und kann nicht suchen.",
  "conv.none": "Wähle eine Unterhaltung aus dem Posteingang.",
  "conv.assignMe": "Mir zuweisen",
  "conv.unassign": "Zuweisung aufheben",
  "conv.close": "Unterhaltung schließen",
  "conv.reopen": "Wieder öffnen",
  "invite.title": "Kollegin oder Kollegen einladen",
  "invite.handle": "Handle der Kollegin oder des Kollegen",
  "invite.submit": "Einladen",
  "invite.done": "{handle} eingeladen.",
  "invite.failed.unknown_handle": "{handle} konnte nicht eingeladen werden: Dieses Handle hat niemand.",
  "invite.failed.already_member": "{handle} ist bereits in dieser Unterhaltung.",
  "invite.failed.forbidden":
    "{handle} konnte nicht eingeladen werden: Du darfst niemanden in diese Unterhaltung einladen.",
  "invite.failed.rate_limited":
    "{handle} konnte nicht eingeladen werden: zu viele Einladungen. Versuche es in {seconds} s erneut.",
  "invite.failed.offline": "{handle} konnte nicht eingeladen werden: Das Dashboard ist offline.",
  "invite.failed.other": "{handle} konnte nicht eingeladen werden. Bitte versuche es erneut.",
  "notes.title": "Interne Notizen",
  "notes.banner": "Interne Notiz — Kunden sehen das nie",
  "notes.add": "Notiz hinzufügen",
  you: "du",
};

const catalogs: Record<string, Catalog> = { en, de };

let current = "en";

/** Picks the catalog for a locale such as `de-DE` (English when there is none). */
export function setLocale(locale: string): void {
  const language = locale.toLowerCase().split(/[-_]/)[0] ?? "en";
  current = language in catalogs ? language : "en";
}

export function locale(): string {
  return current;
}

/** The string for `key` in the current locale, `{param}` placeholders filled. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** A time today, or a date otherwise (inbox rows). */
export function when(ts: number): string {
  const today = new Date().toDateString() === new Date(ts).toDateString();
  return new Intl.DateTimeFormat(current, today ? { timeStyle: "short" } : { dateStyle: "medium" }).format(ts);
}

/** A date and time in the current locale. */
export function dateTime(ts: number): string {
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(ts);
}
