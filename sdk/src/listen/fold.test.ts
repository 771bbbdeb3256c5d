import { describe, expect, it } from "vitest";
import type { ListenBoard } from "./api.js";
import { ListenBoardFolder } from "./board-folder.js";
import { message as at, eventBody as ev, sessionId, startBody, track } from "./fixtures.js";
import { foldListen, ListenFolder, type ListenMessage, wouldApply } from "./fold.js";

const S1 = sessionId(1);
const state = (index: number, positionMs: number, playing = false, atMs = 5_000) => ({
  index,
  playing,
  positionMs,
  atMs,
});

/** Mia starts a two-track session at seq 1. */
function started(): ListenMessage[] {
  return [at(1, "c_mia", startBody([track(60_000), track(90_000)]))];
}

function sessionOf(board: ListenBoard, id = S1) {
  const session = board.sessions.get(id);
  if (!session) throw new Error(`no session ${id}`);
  return session;
}

describe("the listen fold", () => {
  it("starts a session whose starter is its first listener; it is the active one", () => {
    const board = foldListen(started());
    expect(sessionOf(board)).toEqual({
      id: S1,
      seq: 1,
      starter: "c_mia",
      queue: [track(60_000), track(90_000)],
      state: { index: 0, playing: true, positionMs: 0, atMs: 1_000 },
      listeners: ["c_mia"],
      changedBy: "c_mia",
    });
    expect(board.active).toBe(board.sessions.get(S1));
  });

  it("ignores a second start while one runs, and takes one after the first ended", () => {
    const board = foldListen([
      ...started(),
      at(2, "c_noah", startBody([track()])),
      at(3, "c_mia", ev(S1, "end")),
      at(4, "c_noah", startBody([track()])),
    ]);
    expect([...board.sessions.keys()]).toEqual([S1, sessionId(4)]);
    expect(sessionOf(board).endedAt).toBe(3);
    expect(board.active?.id).toBe(sessionId(4));
  });

  it("join adds the sender once; leave removes it; the last to leave ends the session", () => {
    const board = foldListen([
      ...started(),
      at(2, "c_noah", ev(S1, "join")),
      at(3, "c_noah", ev(S1, "join")),
      at(4, "c_lea", ev(S1, "join")),
      at(5, "c_mia", ev(S1, "leave")),
      at(6, "c_mia", ev(S1, "leave")),
    ]);
    expect(sessionOf(board).listeners).toEqual(["c_noah", "c_lea"]);
    const ended = foldListen([
      ...started(),
      at(2, "c_noah", ev(S1, "join")),
      at(3, "c_mia", ev(S1, "leave")),
      at(4, "c_noah", ev(S1, "leave")),
    ]);
    expect(sessionOf(ended)).toMatchObject({ listeners: [], endedAt: 4 });
    expect(ended.active).toBeUndefined();
  });

  it("takes a state only from a current listener, and only when it fits the queue", () => {
    const board = foldListen([
      ...started(),
      at(2, "c_noah", ev(S1, "state", { state: state(1, 10) })), // not listening yet
      at(3, "c_noah", ev(S1, "join")),
      at(4, "c_noah", ev(S1, "state", { state: state(2, 0) })), // no track 2
      at(5, "c_noah", ev(S1, "state", { state: state(0, 60_001) })), // past the track's end
      at(6, "c_noah", ev(S1, "state", { state: state(1, 90_000) })),
    ]);
    expect(sessionOf(board)).toMatchObject({ state: state(1, 90_000), changedBy: "c_noah" });
    const left = foldListen([
      ...started(),
      at(2, "c_noah", ev(S1, "join")),
      at(3, "c_mia", ev(S1, "leave")),
      at(4, "c_mia", ev(S1, "state", { state: state(1, 0) })), // the starter, but no longer listening
    ]);
    expect(sessionOf(left)).toMatchObject({ state: { index: 0 }, changedBy: "c_mia" });
  });

  it("end only from the starter (listening or not); nothing applies after the end", () => {
    const board = foldListen([
      ...started(),
      at(2, "c_noah", ev(S1, "join")),
      at(3, "c_noah", ev(S1, "end")),
      at(4, "c_mia", ev(S1, "leave")),
      at(5, "c_mia", ev(S1, "end")),
      at(6, "c_noah", ev(S1, "state", { state: state(1, 0) })),
      at(7, "c_lea", ev(S1, "join")),
      at(8, "c_noah", ev(S1, "leave")),
      at(9, "c_mia", ev(S1, "end")),
    ]);
    expect(sessionOf(board)).toMatchObject({ listeners: ["c_noah"], endedAt: 5, state: { index: 0 } });
    expect(board.active).toBeUndefined();
  });

  it("ignores malformed bodies, unknown sessions and other kinds alike", () => {
    const before = foldListen(started());
    const board = foldListen([
      ...started(),
      at(2, "c_noah", { type: "listen", listen: { queue: [] } } as ListenMessage["body"]),
      at(3, "c_noah", { type: "listen-event", event: { session: S1, op: "join", x: 1 } } as ListenMessage["body"]),
      at(4, "c_noah", ev(sessionId(99), "join")),
      at(5, "c_noah", ev(S1, "dance")),
      at(6, "c_noah", { type: "listen-event" }),
      at(7, "c_noah", undefined),
      at(8, "c_noah", { type: "text" }),
      at(9, "c_noah", ev(sessionId(8), "join")), // a message, but not a session
    ]);
    expect(board).toEqual(before);
  });

  it("counts each seq once and refuses a seq at or below the last", () => {
    const folder = new ListenFolder();
    expect(folder.apply(started()[0] as ListenMessage)).toBe(true);
    expect(folder.apply(at(1, "c_noah", ev(S1, "join")))).toBe(false);
    expect(folder.apply(at(0, "c_noah", ev(S1, "join")))).toBe(false);
    expect(folder.lastSeq).toBe(1);
    expect(sessionOf(folder.board).listeners).toEqual(["c_mia"]);
  });

  it("keeps the board object while nothing changes, and does not mutate a board it handed out", () => {
    const folder = new ListenFolder();
    folder.apply(started()[0] as ListenMessage);
    const board = folder.board;
    folder.apply(at(2, "c_noah", { type: "text" }));
    folder.apply(at(3, "c_noah", ev(S1, "leave")));
    expect(folder.board).toBe(board);
    folder.apply(at(4, "c_noah", ev(S1, "join")));
    expect(folder.board).not.toBe(board);
    expect(sessionOf(board).listeners).toEqual(["c_mia"]);
    expect(sessionOf(folder.board).listeners).toEqual(["c_mia", "c_noah"]);
  });

  it("wouldApply answers for the next message without applying it", () => {
    const board = foldListen(started());
    expect(wouldApply(board, at(2, "c_noah", ev(S1, "join")))).toBe(true);
    expect(wouldApply(board, at(2, "c_noah", ev(S1, "end")))).toBe(false);
    expect(wouldApply(board, at(2, "c_noah", startBody([track()])))).toBe(false);
    expect(wouldApply(board, at(2, "c_mia", ev(S1, "state", { state: state(1, 5) })))).toBe(true);
    expect(sessionOf(board).listeners).toEqual(["c_mia"]);
  });

  it("the board folder folds appends on top and refolds when older messages come in", () => {
    const all = [
      ...started(),
      at(2, "c_noah", ev(S1, "join")),
      at(3, "c_noah", ev(S1, "state", { state: state(1, 7) })),
    ];
    const folder = new ListenBoardFolder();
    folder.update(all.slice(1));
    expect(folder.board.sessions.size).toBe(0);
    folder.update(all);
    expect(folder.board).toEqual(foldListen(all));
    const same = folder.board;
    expect(folder.update(all)).toBe(same);
  });
});
