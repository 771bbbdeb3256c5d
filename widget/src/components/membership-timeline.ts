/**
 * The gateway's `membership` events of the conversation shown, behind the
 * timeline's lines for people leaving and being removed ("Leo left", "Mia
 * removed Leo") and joins no invite record explains (the words are in
 * timeline-lines.ts). Joins through an invite are told by the invite lines,
 * which a reload gets back from `client.invitations`. Like those lines, these
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
