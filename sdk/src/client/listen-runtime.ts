/**
 * The part of `client.listen` that loads on first use, through the one
 * dynamic import in `listen.ts`: the listen schemas (zod), the fold, the
 * playhead and the checks made before a listen message is queued. Nothing
 * reachable from the SDK's entry imports this module statically, so a chat
 * where nobody listens together never downloads any of it.
 */
import { ParleyError } from "../errors.js";
import { gapless } from "../gapless.js";
import type { ListenBoard, ListenSession, PlaybackChange } from "../listen/api.js";
import { ListenBoardFolder } from "../listen/board-folder.js";
import { type ListenMessage, wouldApply } from "../listen/fold.js";
import { nextChange, playheadAt, START_LEAD_MS } from "../listen/playhead.js";
import { listenProblem } from "../listen/schemas.js";
import { randomId } from "../protocol/ids.js";
import type { ListenEvent, ListenStart, Track } from "../protocol/live/wire.js";
import type { StateStore } from "../state-store.js";
import type { ListenHost } from "./listen.js";

/** `client.listen` once loaded: a folder per followed conversation, and the checked sends. */
export class ListenRuntime {
  readonly #host: ListenHost;
  readonly #folders = new Map<string, ListenBoardFolder>();

  constructor(host: ListenHost) {
    this.#host = host;
  }

  /** Folds the conversation into its board store from now on (once per conversation); returns its folder. */
  follow(convId: string): ListenBoardFolder {
    let folder = this.#folders.get(convId);
    if (folder) return folder;
    const made = new ListenBoardFolder();
    folder = made;
    this.#folders.set(convId, made);
    const store: StateStore<ListenBoard> = this.#host.board(convId);
    this.#host.core.tracker(convId).state.subscribe((s) => store.set(made.update(gapless(s.messages, s.lastSeq))));
    return made;
  }

  /**
   * The `listen` of a new session with `queue`: the first track from 0, playing from the shared
   * clock's now plus {@link START_LEAD_MS}. Throws `live_invalid` for a bad queue and `live_rejected`
   * while another session runs in the conversation (as far as this client holds).
   */
  start(convId: string, queue: Track[]): ListenStart {
    const listen: ListenStart = {
      queue,
      state: { index: 0, playing: true, positionMs: 0, atMs: Math.round(this.#host.now()) + START_LEAD_MS },
    };
    const problem = listenProblem(listen, "start");
    if (problem !== undefined) throw new ParleyError("live_invalid", problem);
    this.#mustApply(convId, { type: "listen", listen }, "another listening session is running here");
    return listen;
  }

  /**
   * The `state` event for `change` in `session`, from its playhead at the shared clock's now (plus
   * {@link START_LEAD_MS} when playback starts or moves to another track while playing). Throws
   * `live_invalid` for a bad change and `live_rejected` when the session is not running or this
   * principal does not listen to it.
   */
  control(convId: string, session: string, change: PlaybackChange): ListenEvent {
    const running = this.follow(convId).board.sessions.get(session);
    if (!running || running.endedAt !== undefined) {
      throw new ParleyError("live_rejected", `no listening session ${session} runs here`);
    }
    const problem = changeProblem(running, change);
    if (problem !== undefined) throw new ParleyError("live_invalid", problem);
    const now = this.#host.now();
    const state = nextChange(running, now, change);
    const head = playheadAt(running, now);
    if (state.playing && (!head.playing || state.index !== head.index)) state.atMs += START_LEAD_MS;
    const event: ListenEvent = { session, op: "state", state };
    this.check(convId, event);
    return event;
  }

  /** Throws `live_invalid` when `event` breaks its schema, `live_rejected` when the fold of what this client holds would ignore it. */
  check(convId: string, event: ListenEvent): void {
    const problem = listenProblem(event, "event");
    if (problem !== undefined) throw new ParleyError("live_invalid", problem);
    this.#mustApply(
      convId,
      { type: "listen-event", event },
      `the ${event.op} event on session ${event.session} would be ignored`,
    );
  }

  /** Throws `live_rejected` unless `body`, sent by this principal after everything this client holds, would apply. */
  #mustApply(convId: string, body: { type: string; [key: string]: unknown }, why: string): void {
    const { core } = this.#host;
    const folder = this.follow(convId);
    const last = core.tracker(convId).state.value.messages.at(-1);
    const next: ListenMessage = {
      seq: (last?.seq ?? 0) + 1,
      msgId: randomId(),
      sender: core.requireSession().principal.id,
      body,
    };
    if (!wouldApply(folder.board, next)) throw new ParleyError("live_rejected", why);
  }
}

/** Why `change` cannot apply to `session` (a bad field), in a few words; `undefined` when it can. */
function changeProblem(session: ListenSession, change: PlaybackChange): string | undefined {
  if (change === null || typeof change !== "object") return "the change must be an object";
  const { playing, index, positionMs } = change;
  if (playing !== undefined && typeof playing !== "boolean") return "playing must be true or false";
  if (index !== undefined && !(Number.isInteger(index) && index >= 0 && index < session.queue.length)) {
    return `index must be within the queue (0..${session.queue.length - 1})`;
  }
  if (positionMs !== undefined && !(Number.isFinite(positionMs) && positionMs >= 0)) {
    return "positionMs must be a number >= 0";
  }
  return undefined;
}
