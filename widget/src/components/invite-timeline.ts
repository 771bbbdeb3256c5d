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
import type { ReactiveController, ReactiveControllerHost } from "lit";

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
export class InviteTimeline implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #byId = new Map<string, Invite>();
  #client: ParleyClient | undefined;
  #convId: string | undefined;
  #offs: Array<() => void> = [];
  #connected = false;
  #load = 0;
  invites: readonly Invite[] = [];

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
    host.addController(this);
  }

  follow(client: ParleyClient | undefined, convId: string | undefined): void {
    if (client === this.#client && convId === this.#convId) return;
    this.#stop();
    this.#client = client;
    this.#convId = convId;
    this.#byId.clear();
    this.invites = [];
    if (this.#connected) this.#start();
    this.#host.requestUpdate();
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
    if (!client || !convId || this.#offs.length > 0) return;
    this.#offs.push(
      client.on("invitation", (invite) => {
        if (invite.convId === convId) this.#merge([invite]);
      }),
      // Fetched once connected, and again after every reconnect (events missed meanwhile).
      client.status.subscribe((s) => {
        if (s.state === "connected") this.#fetch(client, convId);
      }),
    );
  }

  #stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#load++;
  }

  #fetch(client: ParleyClient, convId: string): void {
    const load = ++this.#load;
    client.invitations(convId).then(
      (list) => {
        if (load === this.#load) this.#merge(list);
      },
      () => undefined, // not a member (yet), or offline: the next event or reconnect brings them
    );
  }

  /** Keeps the newest state of each invite: a settled one is never taken back to pending. */
  #merge(list: readonly Invite[]): void {
    let changed = false;
    for (const invite of list) {
      const known = this.#byId.get(invite.id);
      if (known && (known.status === invite.status || (settled(known) && !settled(invite)))) continue;
      this.#byId.set(invite.id, invite);
      changed = true;
    }
    if (!changed) return;
    this.invites = [...this.#byId.values()];
    this.#host.requestUpdate();
  }
}
