/**
 * `client.listen`: a board per conversation (its listening sessions folded
 * from its confirmed messages) and the checked ways to start, join, leave,
 * end and control a session. Only this thin part loads with the chat: the
 * schemas, the fold, the playhead and the checks (`listen-runtime.ts`) come
 * in through one dynamic import on first use.
 */
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import type { ListenApi, ListenBoard, PlaybackChange } from "../listen/api.js";
import type { ListenEvent, Track } from "../protocol/live/wire.js";
import type { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";
import { LazyBoards } from "./lazy-boards.js";
import type { ListenRuntime } from "./listen-runtime.js";

/** What the listen module uses of the client. */
export interface ListenHost {
  core: ClientCore;
  send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  /** The conversation's board store (made empty on first use). */
  board: (convId: string) => StateStore<ListenBoard>;
  /** The shared clock's now, ms (`client.clock.now`). */
  now: () => number;
}

/** The board of a conversation whose sessions have not been folded yet. */
const EMPTY_BOARD: ListenBoard = { sessions: new Map() };

/** `client.listen` (see {@link ListenApi}): the board stores, and the runtime loaded on first use. */
export class ClientListen implements ListenApi {
  readonly #host: ListenHost;
  readonly #lazy: LazyBoards<ListenRuntime, ListenBoard>;

  /** `now` is the shared clock's (`client.clock`; the device's own when not given). */
  constructor(
    core: ClientCore,
    send: (convId: string, body: MessageBody) => Promise<ChatMessage>,
    now: () => number = Date.now,
  ) {
    this.#host = { core, send, board: (convId) => this.board(convId), now };
    this.#lazy = new LazyBoards(
      () => import("./listen-runtime.js").then((m) => new m.ListenRuntime(this.#host)),
      EMPTY_BOARD,
      (error) => core.report(error),
    );
  }

  board(convId: string): StateStore<ListenBoard> {
    return this.#lazy.board(convId);
  }

  async start(convId: string, queue: Track[]): Promise<ChatMessage> {
    const listen = (await this.#lazy.runtime()).start(convId, queue);
    return this.#host.send(convId, { type: "listen", listen: listen as unknown as { queue: unknown[] } });
  }

  join(convId: string, session: string): Promise<ChatMessage> {
    return this.#event(convId, { session, op: "join" });
  }

  leave(convId: string, session: string): Promise<ChatMessage> {
    return this.#event(convId, { session, op: "leave" });
  }

  end(convId: string, session: string): Promise<ChatMessage> {
    return this.#event(convId, { session, op: "end" });
  }

  async control(convId: string, session: string, change: PlaybackChange): Promise<ChatMessage> {
    const event = (await this.#lazy.runtime()).control(convId, session, change);
    return this.#send(convId, event);
  }

  /** Checks `event` against what this client holds, then sends it. */
  async #event(convId: string, event: ListenEvent): Promise<ChatMessage> {
    (await this.#lazy.runtime()).check(convId, event);
    return this.#send(convId, event);
  }

  #send(convId: string, event: ListenEvent): Promise<ChatMessage> {
    return this.#host.send(convId, { type: "listen-event", event: event as { session: string; op: string } });
  }
}
