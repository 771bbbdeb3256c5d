/**
 * The words of the timeline's lines about people: invites ("You invited
 * @noah", "Noah joined (invited by Mia)", "@leo declined the invitation") and
 * membership ("Leo left", "Mia removed Leo"). Loaded on demand by the message
 * list the first time a conversation has an invite or a membership event, with
 * its own English and German strings, so a chat without either never
 * downloads them. The lines come from the gateway's records and events
 * (invite-timeline.ts, membership-timeline.ts), never from message bodies.
 */
import type { ClientEvents, InviteInfo } from "@parley/sdk";
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";
import type { TimelineNotice } from "./invite-timeline.js";

type Membership = ClientEvents["membership"];

const en = {
  invitedYou: "You invited {invitee}",
  invited: "{inviter} invited {invitee}",
  joinedYou: "You joined",
  joinedYouBy: "You joined (invited by {inviter})",
  joinedByYou: "{name} joined (invited by you)",
  joinedBy: "{name} joined (invited by {inviter})",
  joined: "{name} joined",
  declined: "{invitee} declined the invitation",
  revoked: "The invitation for {invitee} was withdrawn",
  left: "{name} left",
  leftYou: "You left",
  removed: "{by} removed {name}",
  removedByYou: "You removed {name}",
  removedYou: "{by} removed you",
  someone: "Someone",
};

type Key = keyof typeof en;

const de: Record<Key, string> = {
  invitedYou: "Sie haben {invitee} eingeladen",
  invited: "{inviter} hat {invitee} eingeladen",
  joinedYou: "Sie sind beigetreten",
  joinedYouBy: "Sie sind beigetreten (eingeladen von {inviter})",
  joinedByYou: "{name} ist beigetreten (von Ihnen eingeladen)",
  joinedBy: "{name} ist beigetreten (eingeladen von {inviter})",
  joined: "{name} ist beigetreten",
  declined: "{invitee} hat die Einladung abgelehnt",
  revoked: "Die Einladung für {invitee} wurde zurückgezogen",
  left: "{name} hat die Unterhaltung verlassen",
  leftYou: "Sie haben die Unterhaltung verlassen",
  removed: "{by} hat {name} entfernt",
  removedByYou: "Sie haben {name} entfernt",
  removedYou: "{by} hat Sie entfernt",
  someone: "Jemand",
};

/** What the lines are made of. */
export interface TimelineInput {
  /** Every invite into the conversation. */
  invites: readonly InviteInfo[];
  /** Membership events seen while the conversation was shown. */
  events: readonly Membership[];
  /** This principal. */
  me: string | undefined;
  /** Display names by principal id, including people who left since. */
  names: ReadonlyMap<string, string>;
  /** BCP 47 locale. */
  locale: string;
}

/** The timeline's lines about people, oldest first. */
export function timelineLines(input: TimelineInput): TimelineNotice[] {
  const { invites, events, me, names } = input;
  const catalog: Record<Key, string> = /^de\b/i.test(input.locale) ? de : en;
  const t = (key: Key, params: Record<string, string> = {}) =>
    fillIsolated(catalog[key], params, isRtlLocale(input.locale));
  const name = (id: string) =>
    names.get(id) ??
    invites.find((i) => i.invitee === id)?.inviteeName ??
    invites.find((i) => i.inviter === id)?.inviterName ??
    t("someone");
  const out: TimelineNotice[] = [];
  const add = (key: string, ts: number, text: string) => out.push({ key, ts, text });
  for (const i of invites) {
    const invitee = i.inviteeHandle ? `@${i.inviteeHandle}` : i.inviteeName || t("someone");
    const inviter = names.get(i.inviter) ?? i.inviterName;
    add(
      `${i.id}:invited`,
      i.createdAt,
      i.inviter === me ? t("invitedYou", { invitee }) : t("invited", { inviter, invitee }),
    );
    const at = i.settledAt ?? i.createdAt;
    if (i.status === "accepted") {
      const who = names.get(i.invitee) ?? i.inviteeName ?? invitee;
      const text =
        i.invitee === me
          ? t("joinedYouBy", { inviter })
          : i.inviter === me
            ? t("joinedByYou", { name: who })
            : t("joinedBy", { name: who, inviter });
      add(`${i.id}:joined`, at, text);
    } else if (i.status === "declined") add(`${i.id}:declined`, at, t("declined", { invitee }));
    else if (i.status === "revoked") add(`${i.id}:revoked`, at, t("revoked", { invitee }));
  }
  const invited = new Set(invites.filter((i) => i.status === "accepted").map((i) => i.invitee));
  for (const e of events) {
    const who = name(e.principalId);
    let text: string;
    if (e.change === "joined") {
      if (invited.has(e.principalId)) continue; // the invite's line tells it
      text = e.principalId === me ? t("joinedYou") : t("joined", { name: who });
    } else if (e.change === "left" || e.by === e.principalId) {
      text = e.principalId === me ? t("leftYou") : t("left", { name: who });
    } else if (e.by === me) text = t("removedByYou", { name: who });
    else if (e.principalId === me) text = t("removedYou", { by: name(e.by) });
    else text = t("removed", { by: name(e.by), name: who });
    add(`m:${e.principalId}:${e.change}:${e.ts}`, e.ts, text);
  }
  return out.sort((a, b) => a.ts - b.ts);
}
