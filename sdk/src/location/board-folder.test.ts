import { describe, expect, it } from "vitest";
import { KEEP_UNKNOWN_SHARES, LocationBoardFolder } from "./board-folder.js";
import { foldLocations } from "./fold.js";
import { ALICE, BOB, fixAt, idAt, pinMsg, signal, stopMsg, textMsg, tsAt, update } from "./fold-fixtures.js";

const HOUR = 3_600_000;
const until = tsAt(1) + HOUR;

describe("LocationBoardFolder", () => {
  it("folds appended messages on top and gives the same board as folding everything", () => {
    const all = [textMsg(1, BOB), pinMsg(2, ALICE, { until }), pinMsg(3, BOB), stopMsg(4, ALICE, 2)];
    const folder = new LocationBoardFolder();
    for (let n = 1; n <= all.length; n++) folder.update(all.slice(0, n));
    expect(folder.board).toEqual(foldLocations(all));
  });

  it("keeps the board object when appended messages change no place", () => {
    const all = [pinMsg(1, ALICE, { until })];
    const folder = new LocationBoardFolder();
    const board = folder.update(all);
    expect(folder.update([...all, textMsg(2, BOB)])).toBe(board);
  });

  it("keeps live updates through a refold (older messages loaded, one made readable)", () => {
    const all = [textMsg(1, BOB), pinMsg(2, ALICE, { until: tsAt(2) + HOUR })];
    const folder = new LocationBoardFolder();
    folder.update(all.slice(1));
    const at = tsAt(2) + 10_000;
    folder.live(signal(ALICE, update(2, 3, at)), at);
    expect(folder.board.pins.get(idAt(2))?.fix).toEqual(fixAt(at, 150));
    const refolded = folder.update(all);
    expect(refolded.pins.get(idAt(2))?.fix).toEqual(fixAt(at, 150));
    expect(refolded.pins.get(idAt(2))?.live?.n).toBe(3);
    const replaced = folder.update(all.map((m) => ({ ...m })));
    expect(replaced.pins.get(idAt(2))?.fix).toEqual(fixAt(at, 150));
  });

  it("takes an update that came before its share's message once the message is folded", () => {
    const folder = new LocationBoardFolder();
    const at = tsAt(1) + 5_000;
    const early = folder.live(signal(ALICE, update(1, 1, at)), at);
    expect(early.pins.size).toBe(0);
    expect(folder.update([pinMsg(1, ALICE, { until })]).pins.get(idAt(1))?.live?.n).toBe(1);
  });

  it("drops, once the share is known, updates from someone other than its sharer", () => {
    const folder = new LocationBoardFolder();
    const at = tsAt(1) + 5_000;
    folder.live(signal(BOB, update(1, 9, at)), at);
    const board = folder.update([pinMsg(1, ALICE, { until })]);
    expect(board.pins.get(idAt(1))?.live?.n).toBe(0);
    expect(folder.live(signal(BOB, update(1, 10, at)), at)).toBe(board);
  });

  it("falls back to the last update before a stop that arrived after later ones", () => {
    const folder = new LocationBoardFolder();
    const messages = [pinMsg(1, ALICE, { until })];
    folder.update(messages);
    // Received before the stop was stored (tsAt(10)), and one after it, before the stop message came in.
    folder.live(signal(ALICE, update(1, 1, tsAt(5))), tsAt(5));
    folder.live(signal(ALICE, update(1, 2, tsAt(11))), tsAt(11));
    expect(folder.board.pins.get(idAt(1))?.live?.n).toBe(2);
    const stopped = folder.update([...messages, stopMsg(10, ALICE, 1)]);
    expect(stopped.pins.get(idAt(1))?.live).toEqual({ until, n: 1, stoppedAt: tsAt(10) });
    expect(stopped.pins.get(idAt(1))?.fix).toEqual(fixAt(tsAt(5), 50));
  });

  it("keeps updates of at most KEEP_UNKNOWN_SHARES shares it does not know, the newest", () => {
    const folder = new LocationBoardFolder();
    const at = tsAt(1) + 5_000;
    for (let s = 1; s <= KEEP_UNKNOWN_SHARES + 1; s++) folder.live(signal(ALICE, update(s, 1, at)), at);
    const messages = Array.from({ length: KEEP_UNKNOWN_SHARES + 1 }, (_, i) => pinMsg(i + 1, ALICE, { until }));
    const board = folder.update(messages);
    expect(board.pins.get(idAt(1))?.live?.n).toBe(0);
    expect(board.pins.get(idAt(2))?.live?.n).toBe(1);
    expect(board.pins.get(idAt(KEEP_UNKNOWN_SHARES + 1))?.live?.n).toBe(1);
  });
});
