/**
 * The timeline's lines for people leaving and being removed ("Leo left",
 * "Mia removed Leo"), and joins no invite record explains ("Ada joined"),
 * from the gateway's `membership` events while the conversation is shown.
 * Joins through an invite are told by the invite lines (invite-timeline.ts),
 * which a reload gets back from `client.invitations`. Like those lines, these
 * come from the gateway's records and events, never from message bodies, so
 * no member can fake one.
 */
import type { ClientEvents, InviteInfo, ParleyClient } from "@parley/sdk";
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { Translator } from "../i18n/index.js";
import type { TimelineNotice } from "./invite-timeline.js";

type Membership = ClientEvents["membership"];

/** Follows the membership events of one conversation while the host is connected. */
export class MembershipTimeline implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #client: ParleyClient | undefined;
  #convId: string | undefined;
  #off: (() => void) | undefined;
  #connected = false;
  /** The events seen, oldest first. */
  events: readonly Membership[] = [];

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  /** Follows `convId` on `client` (and forgets the events of the one before). */
  follow(client: ParleyClient | undefined, convId: string | undefined): void {
    if (client === this.#client && convId === this.#convId) return;
    this.#stop();
    this.#client = client;
    this.#convId = convId;
    this.events = [];
    if (this.#connected) this.#start();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#start();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
  }

  #start(): void {
    const client = this.#client;
    const convId = this.#convId;
    if (!client || !convId || this.#off) return;
    this.#off = client.on("membership", (e) => {
      if (e.convId !== convId) return;
      this.events = [...this.events, e];
      this.#host.requestUpdate();
    });
  }

  #stop(): void {
    this.#off?.();
    this.#off = undefined;
  }
}

/**
 * The lines for these membership events. A join that an accepted invite explains is left to the
 * invite lines; `name` gives a principal's display name (also of people who left since).
 */
export function membershipNotices(
  events: readonly Membership[],
  invites: readonly InviteInfo[],
  me: string | undefined,
  name: (principalId: string) => string,
  tr: Translator,
): TimelineNotice[] {
  const invited = new Set(invites.filter((i) => i.status === "accepted").map((i) => i.invitee));
  const out: TimelineNotice[] = [];
  for (const e of events) {
    const key = `m:${e.principalId}:${e.change}:${e.ts}`;
    const who = name(e.principalId);
    let text: string;
    if (e.change === "joined") {
      if (invited.has(e.principalId)) continue;
      text = e.principalId === me ? tr.t("notice.joined.you") : tr.t("notice.joined", { name: who });
    } else if (e.change === "left" || e.by === e.principalId) {
      text = e.principalId === me ? tr.t("notice.left.you") : tr.t("notice.left", { name: who });
    } else if (e.by === me) {
      text = tr.t("notice.removed.byYou", { name: who });
    } else if (e.principalId === me) {
      text = tr.t("notice.removed.you", { by: name(e.by) });
    } else {
      text = tr.t("notice.removed", { by: name(e.by), name: who });
    }
    out.push({ key, ts: e.ts, text });
  }
  return out;
}
