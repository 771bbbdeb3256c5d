/**
 * The strings of the invite confirmation and the members panel, in English and
 * German. They live with the panels (loaded on demand with them), not in the
 * eager catalogs of `i18n/`, so a visitor who never opens a panel never
 * downloads them.
 */
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";

const en = {
  "lookup.unknown_handle": "Could not invite {handle}: no one has that handle.",
  "lookup.rate_limited": "Could not invite {handle}: too many lookups. Try again in {seconds} s.",
  "lookup.offline": "Could not invite {handle}: you are offline.",
  "lookup.forbidden": "Could not invite {handle}: you are not allowed to invite people to this conversation.",
  "lookup.handle_invalid": "Could not invite {handle}: that is not a valid handle.",
  "invite.title": "Invite {handle}?",
  "invite.looking": "Looking up {handle}…",
  "invite.unverified": "Could not look up who holds this handle; the invite goes to whoever holds it in this shop.",
  "invite.team": "Verified team",
  "invite.history": "What they can read",
  "invite.history.none": "From now on",
  "invite.history.none.help": "They see only messages sent after they join.",
  "invite.history.7d": "Last 7 days",
  "invite.history.7d.help": "They also see the messages of the 7 days before they join.",
  "invite.history.all": "Everything",
  "invite.history.all.help": "They see the whole conversation, from its first message.",
  "invite.confirm": "Invite",
  "invite.cancel": "Cancel",
  "invite.sending": "Inviting…",
  "invite.failed.unknown_handle": "No one has the handle {handle}.",
  "invite.failed.already_member": "{handle} is already in this conversation.",
  "invite.failed.forbidden": "You are not allowed to invite people to this conversation.",
  "invite.failed.rate_limited": "Too many invites. Try again in {seconds} s.",
  "invite.failed.invite_cooldown":
    "{handle} declined an invite from you recently. You can invite them again in {wait}.",
  "invite.failed.handle_invalid": "{handle} is not a valid handle.",
  "invite.failed.offline": "You are offline. Try again when the connection is back.",
  "invite.failed.other": "The invite did not go through. Please try again.",
  "members.title": "People in this conversation",
  "members.close": "Back to chat",
  "members.open": "Members",
  "members.you": "{name} (you)",
  "members.role.owner": "Owner",
  "members.role.member": "Member",
  "members.role.team": "Team",
  "members.invitedBy": "Invited by {name}",
  "members.leave": "Leave",
  "members.leave.confirm": "Leave this conversation? You will no longer see new messages.",
  "members.remove": "Remove {name}",
  "members.remove.confirm": "Remove {name} from this conversation?",
  "members.confirm.yes": "Yes, do it",
  "members.confirm.no": "Keep",
  "members.pending": "Invited, waiting for an answer",
  "members.pending.none": "No invites are waiting.",
  "members.pending.by": "Invited by {name} · offered: {history}",
  "members.revoke": "Revoke invite for {name}",
  "members.loading": "Loading…",
  "members.failed": "That did not work. Please try again.",
  "members.failed.offline": "You are offline. Try again when the connection is back.",
  "members.failed.forbidden": "You are not allowed to do that.",
  "members.failed.gone": "That invite was already answered, withdrawn or expired.",
  "members.someone": "Someone",
  "wait.hours": "{n} h",
  "wait.minutes": "{n} min",
  "wait.seconds": "{n} s",
} as const;

/** A key of the panels' strings. */
export type PanelKey = keyof typeof en;

const de: Record<PanelKey, string> = {
  "lookup.unknown_handle": "{handle} konnte nicht eingeladen werden: Dieses Handle hat niemand.",
  "lookup.rate_limited":
    "{handle} konnte nicht eingeladen werden: zu viele Anfragen. Versuchen Sie es in {seconds} s erneut.",
  "lookup.offline": "{handle} konnte nicht eingeladen werden: Sie sind offline.",
  "lookup.forbidden": "{handle} konnte nicht eingeladen werden: Sie dürfen niemanden in diese Unterhaltung einladen.",
  "lookup.handle_invalid": "{handle} konnte nicht eingeladen werden: Das ist kein gültiges Handle.",
  "invite.title": "{handle} einladen?",
  "invite.looking": "{handle} wird gesucht…",
  "invite.unverified":
    "Wer dieses Handle hat, ließ sich nicht nachsehen; die Einladung geht an die Person mit diesem Handle in diesem Shop.",
  "invite.team": "Verifiziertes Team",
  "invite.history": "Was sie lesen können",
  "invite.history.none": "Ab jetzt",
  "invite.history.none.help": "Nur Nachrichten, die nach dem Beitritt geschickt werden.",
  "invite.history.7d": "Letzte 7 Tage",
  "invite.history.7d.help": "Dazu die Nachrichten der 7 Tage vor dem Beitritt.",
  "invite.history.all": "Alles",
  "invite.history.all.help": "Die ganze Unterhaltung, ab der ersten Nachricht.",
  "invite.confirm": "Einladen",
  "invite.cancel": "Abbrechen",
  "invite.sending": "Wird eingeladen…",
  "invite.failed.unknown_handle": "Das Handle {handle} hat niemand.",
  "invite.failed.already_member": "{handle} ist schon in dieser Unterhaltung.",
  "invite.failed.forbidden": "Sie dürfen niemanden in diese Unterhaltung einladen.",
  "invite.failed.rate_limited": "Zu viele Einladungen. Versuchen Sie es in {seconds} s wieder.",
  "invite.failed.invite_cooldown":
    "{handle} hat vor Kurzem eine Einladung von Ihnen abgelehnt. Eine neue Einladung ist in {wait} möglich.",
  "invite.failed.handle_invalid": "{handle} ist kein gültiges Handle.",
  "invite.failed.offline": "Sie sind offline. Versuchen Sie es wieder, wenn die Verbindung zurück ist.",
  "invite.failed.other": "Die Einladung hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
  "members.title": "Personen in dieser Unterhaltung",
  "members.close": "Zurück zum Chat",
  "members.open": "Mitglieder",
  "members.you": "{name} (Sie)",
  "members.role.owner": "Inhaber",
  "members.role.member": "Mitglied",
  "members.role.team": "Team",
  "members.invitedBy": "Eingeladen von {name}",
  "members.leave": "Verlassen",
  "members.leave.confirm": "Diese Unterhaltung verlassen? Sie sehen dann keine neuen Nachrichten mehr.",
  "members.remove": "{name} entfernen",
  "members.remove.confirm": "{name} aus dieser Unterhaltung entfernen?",
  "members.confirm.yes": "Ja, ausführen",
  "members.confirm.no": "Behalten",
  "members.pending": "Eingeladen, Antwort ausstehend",
  "members.pending.none": "Keine offenen Einladungen.",
  "members.pending.by": "Eingeladen von {name} · angeboten: {history}",
  "members.revoke": "Einladung für {name} zurückziehen",
  "members.loading": "Wird geladen…",
  "members.failed": "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
  "members.failed.offline": "Sie sind offline. Versuchen Sie es wieder, wenn die Verbindung zurück ist.",
  "members.failed.forbidden": "Das dürfen Sie nicht.",
  "members.failed.gone": "Diese Einladung wurde schon beantwortet, zurückgezogen oder ist abgelaufen.",
  "members.someone": "Jemand",
  "wait.hours": "{n} Std.",
  "wait.minutes": "{n} Min.",
  "wait.seconds": "{n} s",
};

/** Strings of one locale for the panels: `t(key, params)` with `{param}` placeholders. */
export interface PanelStrings {
  /** The locale's language (`en` or `de`; others read English). */
  lang: "en" | "de";
  /** The string for `key`, placeholders filled. */
  t(key: PanelKey, params?: Record<string, string | number>): string;
  /** A wait in seconds, in words ("3 h", "12 min", "40 s"). */
  wait(seconds: number): string;
}

/** The panels' strings for `locale` (English for locales without a catalog). */
export function panelStrings(locale: string): PanelStrings {
  const lang = /^de\b/i.test(locale) ? "de" : "en";
  const catalog: Record<PanelKey, string> = lang === "de" ? de : en;
  const t = (key: PanelKey, params?: Record<string, string | number>) =>
    fillIsolated(catalog[key], params, isRtlLocale(locale));
  return {
    lang,
    t,
    wait(seconds) {
      if (seconds >= 3600) return t("wait.hours", { n: Math.ceil(seconds / 3600) });
      if (seconds >= 60) return t("wait.minutes", { n: Math.ceil(seconds / 60) });
      return t("wait.seconds", { n: Math.max(1, Math.ceil(seconds)) });
    },
  };
}
