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
import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { timelineLines } from "./timeline-lines.js";

type Membership = ClientEvents["membership"];

/** Follows the membership events of one conversation while the host is connected. */
export class MembershipTimeline implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  #client: ParleyClient | undefined;
  #convId: string | undefined;
  #offs: Array<() => void> = [];
  #connected = false;
  #load = 0;
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
    if (!client || !convId || this.#offs.length > 0) return;
    this.#offs.push(
      client.on("membership", (e) => {
        if (e.convId === convId) this.#merge([e]);
      }),
      client.status.subscribe((s) => {
        if (s.state !== "connected") return;
        const load = ++this.#load;
        client.membershipHistory(convId).then(
          (list) => load === this.#load && this.#merge(list),
          () => undefined, // not a member (any more), or offline: the next reconnect tries again
        );
      }),
    );
  }

  #stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#load++;
  }

  /** Adds the changes not known yet, keeping them in time order. */
  #merge(list: readonly Omit<Membership, "type">[]): void {
    const key = (e: Omit<Membership, "type">) => `${e.principalId} ${e.change} ${e.ts}`;
    const known = new Set(this.events.map(key));
    const added = list.filter((e) => !known.has(key(e)) && known.add(key(e)));
    if (added.length === 0) return;
    this.events = [...this.events, ...added.map((e) => ({ ...e, type: "membership" as const }))].sort(
      (a, b) => a.ts - b.ts,
    );
    this.#host.requestUpdate();
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
