/**
 * `client.location`: a board per conversation (its places folded from its
 * confirmed messages and the live updates received) and the checked ways to
 * share a place, once or live. Only this thin part loads with the chat: the
 * schemas, the fold, the live-share handles and the checks
 * (`location-runtime.ts`) come in through one dynamic import on first use.
 */
import type { SharedClockApi } from "../clock-api.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { FixInput, LiveShare, LocationApi, LocationBoard } from "../location/api.js";
import type { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";
import { LazyBoards } from "./lazy-boards.js";
import type { LiveChannel } from "./live-channel.js";
import type { LocationRuntime } from "./location-runtime.js";

/** Where `client.location` sends live updates and reads the shared clock. */
export interface LocationLinks {
  /** The live signal channel (`client/live-signals.ts`); without it a live share's updates fail (reported) and none are received. */
  live?: LiveChannel;
  /**
   * The shared clock (`client.clock`): its `now` is the default `at` of a fix and decides whether a
   * share is live; a live share starts after one `sync` when it was never measured. Without it, this
   * device's clock.
   */
  clock?: Pick<SharedClockApi, "now" | "sync" | "estimate">;
}

/** What the location module uses of the client. */
export interface LocationHost {
  core: ClientCore;
  send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  /** The conversation's board store (made empty on first use). */
  board: (convId: string) => StateStore<LocationBoard>;
  live: LiveChannel | undefined;
  /** Shared-clock time now, ms. */
  now: () => number;
  /** Measures the shared clock once if it never was (failures leave this device's clock in use). */
  synced: () => Promise<void>;
}

/** The board of a conversation whose places have not been folded yet. */
const EMPTY_BOARD: LocationBoard = { pins: new Map() };

/** `client.location` (see {@link LocationApi}): the board stores, and the runtime loaded on first use. */
export class ClientLocation implements LocationApi {
  readonly #host: LocationHost;
  readonly #lazy: LazyBoards<LocationRuntime, LocationBoard>;
  #closed = false;

  constructor(
    core: ClientCore,
    send: (convId: string, body: MessageBody) => Promise<ChatMessage>,
    links: LocationLinks = {},
  ) {
    const { clock } = links;
    this.#host = {
      core,
      send,
      board: (convId) => this.board(convId),
      live: links.live,
      now: clock ? () => clock.now() : Date.now,
      synced: async () => {
        if (clock && clock.estimate.value === undefined) await clock.sync().catch(() => undefined);
      },
    };
    this.#lazy = new LazyBoards(
      () =>
        import("./location-runtime.js").then((m) => {
          const runtime = new m.LocationRuntime(this.#host);
          if (this.#closed) runtime.close();
          return runtime;
        }),
      EMPTY_BOARD,
      (error) => core.report(error),
    );
  }

  board(convId: string): StateStore<LocationBoard> {
    return this.#lazy.board(convId);
  }

  async share(convId: string, fix: FixInput, options: { label?: string } = {}): Promise<ChatMessage> {
    return (await this.#lazy.runtime()).share(convId, fix, options);
  }

  async startLive(convId: string, fix: FixInput, options: { durationMs: number; label?: string }): Promise<LiveShare> {
    return (await this.#lazy.runtime()).startLive(convId, fix, options);
  }

  async resume(convId: string, share: string): Promise<LiveShare | undefined> {
    return (await this.#lazy.runtime()).resume(convId, share);
  }

  async stop(convId: string, share: string): Promise<ChatMessage> {
    return (await this.#lazy.runtime()).stop(convId, share);
  }

  /** Ends this client's live shares here (their timers stop; no stop message is sent) and stops receiving. */
  close(): void {
    this.#closed = true;
    void this.#lazy
      .loaded()
      ?.then((runtime) => runtime.close())
      .catch(() => undefined);
  }
}
