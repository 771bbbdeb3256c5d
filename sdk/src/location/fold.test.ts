import { describe, expect, it } from "vitest";
import { MAX_LIVE_MS } from "../protocol/live/wire.js";
import { isLive } from "./api.js";
import { applyLive, foldLocations, LIVE_AT_SLACK_MS, LocationFolder, liveRefusal } from "./fold.js";
import { ALICE, BOB, BOT, fixAt, idAt, pinMsg, signal, stopMsg, T0, textMsg, tsAt, update } from "./fold-fixtures.js";

const HOUR = 3_600_000;

describe("the location fold", () => {
  it("pins a place once with its label, sender and team mark", () => {
    const board = foldLocations([textMsg(1, ALICE), pinMsg(2, BOT, { label: "Main entrance", fromTeam: true })]);
    const pin = board.pins.get(idAt(2));
    expect(pin).toEqual({
      id: idAt(2),
      seq: 2,
      sender: BOT,
      fromTeam: true,
      label: "Main entrance",
      first: fixAt(tsAt(2)),
      fix: fixAt(tsAt(2)),
    });
    expect(pin && isLive(pin, tsAt(3))).toBe(false);
    expect(board.ignored?.size).toBe(0);
  });

  it("starts a live share that is live until `until` and then over, though nobody stopped it", () => {
    const until = tsAt(1) + HOUR;
    const pin = foldLocations([pinMsg(1, ALICE, { until })]).pins.get(idAt(1));
    expect(pin?.live).toEqual({ until, n: 0 });
    expect(pin && isLive(pin, until - 1)).toBe(true);
    expect(pin && isLive(pin, until)).toBe(false);
  });

  it("bounds a share's `until` by its server time plus MAX_LIVE_MS whatever clock its fix came from", () => {
    const at = tsAt(1) + 10 * HOUR;
    const message = pinMsg(1, ALICE, { location: { ...fixAt(at), live: { until: at + HOUR } } });
    expect(foldLocations([message]).pins.get(idAt(1))?.live?.until).toBe(tsAt(1) + MAX_LIVE_MS);
  });

  it("ignores, alike on every client, a location that breaks its schema, and records why", () => {
    const bad = [
      { ...fixAt(T0), lat: 91 },
      { ...fixAt(T0), lon: Number.NaN },
      { ...fixAt(T0), accuracy: -1 },
      { ...fixAt(T0), heading: 361 },
      { ...fixAt(T0), speed: 1001 },
      { ...fixAt(T0), label: "line\nbreak" },
      { ...fixAt(T0), label: "x".repeat(201) },
      { ...fixAt(T0), live: { until: T0 } },
      { ...fixAt(T0), live: { until: T0 + MAX_LIVE_MS + 1 } },
      { ...fixAt(T0), colour: "red" },
      { lat: 1, lon: 2 },
    ];
    const messages = bad.map((location, i) => pinMsg(i + 1, ALICE, { location }));
    const board = foldLocations(messages);
    expect(board.pins.size).toBe(0);
    expect([...(board.ignored?.values() ?? [])].map((i) => i.reason)).toEqual(bad.map(() => "invalid"));
    expect(board.ignored?.get(idAt(1))).toEqual({ seq: 1, sender: ALICE, type: "location", reason: "invalid" });
  });

  it("lets only the sharer stop a share, only while it is live, at the stop's server time", () => {
    const until = tsAt(1) + HOUR;
    const board = foldLocations([
      pinMsg(1, ALICE, { until }),
      pinMsg(2, ALICE),
      stopMsg(3, BOB, 1),
      stopMsg(4, ALICE, 2),
      stopMsg(5, ALICE, 99),
      stopMsg(6, ALICE, 1, { reason: "x" }),
      stopMsg(7, ALICE, 1),
      stopMsg(8, ALICE, 1),
    ]);
    expect(board.pins.get(idAt(1))?.live).toEqual({ until, n: 0, stoppedAt: tsAt(7) });
    const reasons = Object.fromEntries([...(board.ignored ?? [])].map(([id, i]) => [id, i.reason]));
    expect(reasons).toEqual({
      [idAt(3)]: "not_sharer",
      [idAt(4)]: "not_live",
      [idAt(5)]: "unknown_share",
      [idAt(6)]: "invalid",
      [idAt(8)]: "not_live",
    });
  });

  it("ignores a stop stored after the share's `until`", () => {
    const board = foldLocations([pinMsg(1, ALICE, { until: tsAt(3) }), stopMsg(3, ALICE, 1)]);
    expect(board.pins.get(idAt(1))?.live?.stoppedAt).toBeUndefined();
    expect(board.ignored?.get(idAt(3))?.reason).toBe("not_live");
  });

  it("counts each seq once and gives the same board for the messages in any order", () => {
    const messages = [
      pinMsg(1, ALICE, { until: tsAt(1) + HOUR }),
      textMsg(2, BOB),
      stopMsg(3, ALICE, 1),
      pinMsg(4, BOB),
    ];
    const board = foldLocations(messages);
    expect(foldLocations([...messages].reverse())).toEqual(board);
    expect(foldLocations([...messages, ...messages])).toEqual(board);
    const folder = new LocationFolder();
    for (const m of messages) folder.apply(m);
    expect(folder.apply(messages[1] as (typeof messages)[number])).toBe(false);
    expect(folder.board).toEqual(board);
  });

  it("keeps the board object while messages change no place", () => {
    const folder = new LocationFolder();
    folder.apply(pinMsg(1, ALICE));
    const board = folder.board;
    folder.apply(textMsg(2, BOB));
    expect(folder.board).toBe(board);
  });
});

describe("applyLive", () => {
  const until = tsAt(1) + HOUR;
  const board = foldLocations([pinMsg(1, ALICE, { until }), pinMsg(2, ALICE)]);
  const now = tsAt(1) + 60_000;

  it("takes an update from the sharer while the share is live: the fix moves, `first` stays", () => {
    const next = applyLive(board, signal(ALICE, update(1, 1, now)), now);
    const pin = next.pins.get(idAt(1));
    expect(pin?.fix).toEqual(fixAt(now, 50));
    expect(pin?.first).toEqual(fixAt(tsAt(1)));
    expect(pin?.live?.n).toBe(1);
    expect(board.pins.get(idAt(1))?.live?.n).toBe(0);
  });

  it("ignores updates from anyone else, for a place shared once, for an unknown share, or invalid ones", () => {
    expect(liveRefusal(board, signal(BOB, update(1, 1, now)), now)).toBe("not_sharer");
    expect(liveRefusal(board, signal(ALICE, update(2, 1, now)), now)).toBe("not_live");
    expect(liveRefusal(board, signal(ALICE, update(7, 1, now)), now)).toBe("unknown_share");
    expect(liveRefusal(board, signal(ALICE, { ...update(1, 1, now), n: 0 }), now)).toBe("invalid");
    expect(liveRefusal(board, signal(ALICE, { ...update(1, 1, now), lat: 200 }), now)).toBe("invalid");
    expect(applyLive(board, signal(BOB, update(1, 1, now)), now)).toBe(board);
  });

  it("ignores an update numbered at or below the newest taken", () => {
    const taken = applyLive(board, signal(ALICE, update(1, 5, now)), now);
    expect(applyLive(taken, signal(ALICE, update(1, 5, now + 1, 999)), now + 1)).toBe(taken);
    expect(applyLive(taken, signal(ALICE, update(1, 4, now + 2)), now + 2)).toBe(taken);
  });

  it("ignores an update received once the share is over, or whose fix is from after `until`", () => {
    expect(liveRefusal(board, signal(ALICE, update(1, 1, until - 1)), until)).toBe("not_live");
    expect(liveRefusal(board, signal(ALICE, update(1, 1, until + LIVE_AT_SLACK_MS)), until - 1)).toBeUndefined();
    expect(liveRefusal(board, signal(ALICE, update(1, 1, until + LIVE_AT_SLACK_MS + 1)), until - 1)).toBe("too_late");
    const stopped = foldLocations([pinMsg(1, ALICE, { until }), stopMsg(5, ALICE, 1)]);
    expect(liveRefusal(stopped, signal(ALICE, update(1, 1, tsAt(4))), tsAt(5) - 1)).toBeUndefined();
    expect(liveRefusal(stopped, signal(ALICE, update(1, 1, tsAt(5))), tsAt(5))).toBe("not_live");
  });
});
