/**
 * The gateway's membership record of the conversation shown, behind the
 * timeline's lines for people leaving and being removed ("Leo left", "Mia
 * removed Leo") and joins no invite record explains (the words are in
 * timeline-lines.ts): `client.membershipHistory` once connected (again after
 * every reconnect), then live `membership` events. A change that came both
 * ways (same person, change and time) is kept once. Joins through an invite
 * are told by the invite lines (`client.invitations`). Like those lines, these
 * come from the gateway's records and events, never from message bodies, so
 * no member can fake one.
 */
import type { ClientEvents, ParleyClient } from "@parley/sdk";
import type { ReactiveControllerHost } from "lit";
import { ConversationRecords } from "./conversation-records.js";
import type { timelineLines } from "./timeline-lines.js";

type Membership = ClientEvents["membership"];

/** Follows the membership events of one conversation while the host is connected. */
export class MembershipTimeline extends ConversationRecords<Omit<Membership, "type">> {
  /** The events seen, oldest first. */
  events: readonly Membership[] = [];

  protected reset(): void {
    this.events = [];
  }

  protected load(client: ParleyClient, convId: string): Promise<readonly Omit<Membership, "type">[]> {
    return client.membershipHistory(convId);
  }

  protected listen(client: ParleyClient, convId: string, take: (events: readonly Membership[]) => void): () => void {
    return client.on("membership", (e) => {
      if (e.convId === convId) take([e]);
    });
  }

  /** Adds the changes not known yet, keeping them in time order. */
  protected merge(list: readonly Omit<Membership, "type">[]): void {
    const key = (e: Omit<Membership, "type">) => `${e.principalId} ${e.change} ${e.ts}`;
    const known = new Set(this.events.map(key));
    const added = list.filter((e) => !known.has(key(e)) && known.add(key(e)));
    if (added.length === 0) return;
    this.events = [...this.events, ...added.map((e) => ({ ...e, type: "membership" as const }))].sort(
      (a, b) => a.ts - b.ts,
    );
    this.host.requestUpdate();
  }
}

/** The words of the timeline's lines about people (timeline-lines.ts), loaded the first time they are wanted. */
export class TimelineWords {
  readonly #host: ReactiveControllerHost;
  #lines: typeof timelineLines | undefined;
  #loading = false;

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  /** The line maker once loaded; starts loading it when `wanted` (the host re-renders when it arrives). */
  get(wanted: boolean): typeof timelineLines | undefined {
    if (wanted && !this.#lines && !this.#loading) {
      this.#loading = true;
      import("./timeline-lines.js").then(
        (m) => {
          this.#lines = m.timelineLines;
          this.#host.requestUpdate();
        },
        () => {
          this.#loading = false; // tried again on the next render
        },
      );
    }
    return this.#lines;
  }
}
