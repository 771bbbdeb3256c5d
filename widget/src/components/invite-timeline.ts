/**
 * The invite records behind a conversation's timeline lines ("You invited
 * @noah", "Noah joined (invited by Mia)", "@leo declined the invitation"; the
 * words are in timeline-lines.ts, loaded on demand). They are the gateway's
 * invite records (`client.invitations`, then live `invitation`
 * events), which every member and the shop's team may read: metadata the
 * gateway holds anyway, never message content. A member's own message body
 * can never pose as one of these lines (they do not come from messages).
 */
import type { ClientEvents, ParleyClient } from "@parley/sdk";
import { ConversationRecords } from "./conversation-records.js";

type Invite = ClientEvents["invitation"];

/** One line of the timeline that is not a message. */
export interface TimelineNotice {
  /** Stable key of the line. */
  key: string;
  /** When it happened, ms. */
  ts: number;
  /** The words. */
  text: string;
}

const settled = (i: Invite) => i.status !== "pending";

/** Follows the invite records of one conversation while the host is connected. */
export class InviteTimeline extends ConversationRecords<Invite> {
  readonly #byId = new Map<string, Invite>();
  invites: readonly Invite[] = [];

  protected reset(): void {
    this.#byId.clear();
    this.invites = [];
  }

  protected load(client: ParleyClient, convId: string): Promise<readonly Invite[]> {
    return client.invitations(convId);
  }

  protected listen(client: ParleyClient, convId: string, take: (invites: readonly Invite[]) => void): () => void {
    return client.on("invitation", (invite) => {
      if (invite.convId === convId) take([invite]);
    });
  }

  /** Keeps the newest state of each invite: a settled one is never taken back to pending. */
  protected merge(list: readonly Invite[]): void {
    let changed = false;
    for (const invite of list) {
      const known = this.#byId.get(invite.id);
      if (known && (known.status === invite.status || (settled(known) && !settled(invite)))) continue;
      this.#byId.set(invite.id, invite);
      changed = true;
    }
    if (!changed) return;
    this.invites = [...this.#byId.values()];
    this.host.requestUpdate();
  }
}
