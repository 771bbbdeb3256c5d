/**
 * What the timeline's record-backed lines share: follow one conversation's
 * records from the gateway while the host is connected, loading them once
 * connected and again after every reconnect (events missed meanwhile), and
 * taking live events in between. Subclasses say how to load, what to listen
 * to, and how to merge (invite-timeline.ts, membership-timeline.ts).
 */
import type { ParleyClient } from "@parley/sdk";
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** Follows the records `T` of one conversation while the host is connected. */
export abstract class ConversationRecords<T> implements ReactiveController {
  protected readonly host: ReactiveControllerHost;
  #client: ParleyClient | undefined;
  #convId: string | undefined;
  #offs: Array<() => void> = [];
  #connected = false;
  #load = 0;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    host.addController(this);
  }

  /** Follows `convId` on `client`, forgetting the records of the one before. */
  follow(client: ParleyClient | undefined, convId: string | undefined): void {
    if (client === this.#client && convId === this.#convId) return;
    this.#stop();
    this.#client = client;
    this.#convId = convId;
    this.reset();
    if (this.#connected) this.#start();
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#start();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
  }

  /** Forgets every record held. */
  protected abstract reset(): void;
  /** The conversation's records as the gateway holds them now. */
  protected abstract load(client: ParleyClient, convId: string): Promise<readonly T[]>;
  /** Hands live records of the conversation to `take`; returns the unsubscribe. */
  protected abstract listen(client: ParleyClient, convId: string, take: (records: readonly T[]) => void): () => void;
  /** Takes records in (from a load or an event); re-renders the host when anything changed. */
  protected abstract merge(records: readonly T[]): void;

  #start(): void {
    const client = this.#client;
    const convId = this.#convId;
    if (!client || !convId || this.#offs.length > 0) return;
    this.#offs.push(
      this.listen(client, convId, (records) => this.merge(records)),
      client.status.subscribe((s) => {
        if (s.state !== "connected") return;
        const load = ++this.#load;
        this.load(client, convId).then(
          (records) => load === this.#load && this.merge(records),
          () => undefined, // not a member (yet, or any more), or offline: the next event or reconnect brings them
        );
      }),
    );
  }

  #stop(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#load++;
  }
}
