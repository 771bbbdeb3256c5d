import { describe, expect, it } from "vitest";
import { MAX_CALL_PARTICIPANTS, MAX_SILENT_CALL_MS, RING_MS } from "../protocol/calls/wire.js";
import { isRinging } from "./api.js";
import { CallsFolder, foldCalls, ringsFor } from "./fold.js";
import { AGENT, ANNA, BEN, CARL, CONV, callMsg, dev, eventMsg, idAt, T0, textMsg, tsAt } from "./fold-fixtures.js";

/** Shared-clock time while everything in these tests is fresh. */
const SOON = tsAt(30);
const CALL = idAt(1);

describe("the calls fold", () => {
  it("a call message opens a ringing call with the caller's device in it", () => {
    const board = foldCalls([textMsg(1, BEN), callMsg(2, ANNA, { media: "video", fromTeam: false })], SOON);
    expect(board.calls.get(idAt(2))).toEqual({
      id: idAt(2),
      seq: 2,
      convId: CONV,
      media: "video",
      caller: ANNA,
      callerDevice: dev(ANNA),
      fromTeam: false,
      startedAt: tsAt(2),
      participants: [{ principalId: ANNA, device: dev(ANNA), fromTeam: false, joinedAt: tsAt(2) }],
      declined: [],
      busy: [],
      state: "ringing",
    });
    expect(isRinging(board.calls.get(idAt(2)) as never, SOON)).toBe(true);
  });

  it("a join of another principal answers the call; a join of the caller's other device does not", () => {
    const folder = new CallsFolder();
    folder.apply(callMsg(1, ANNA));
    folder.apply(eventMsg(2, ANNA, 1, "join", { device: dev(ANNA, 2) }));
    expect(folder.at(SOON).calls.get(CALL)?.state).toBe("ringing");
    expect(folder.at(SOON).calls.get(CALL)?.answeredAt).toBeUndefined();
    folder.apply(eventMsg(3, BEN, 1, "join"));
    const call = folder.at(SOON).calls.get(CALL);
    expect(call).toMatchObject({ state: "active", answeredAt: tsAt(3) });
    expect(call?.participants.map((p) => p.device)).toEqual([dev(ANNA), dev(ANNA, 2), dev(BEN)]);
  });

  it(`lets at most ${MAX_CALL_PARTICIPANTS} devices in at once`, () => {
    const messages = [callMsg(1, ANNA), eventMsg(2, BEN, 1, "join"), eventMsg(3, CARL, 1, "join")];
    messages.push(eventMsg(4, AGENT, 1, "join"), eventMsg(5, BEN, 1, "join", { device: dev(BEN, 2) }));
    const full = foldCalls(messages, SOON);
    expect(full.calls.get(CALL)?.participants).toHaveLength(MAX_CALL_PARTICIPANTS);
    expect(full.ignored?.get(idAt(5))).toEqual({ seq: 5, sender: BEN, reason: "not_now" });
    // Once one leaves, another gets in.
    messages.push(eventMsg(6, CARL, 1, "leave"), eventMsg(7, BEN, 1, "join", { device: dev(BEN, 2) }));
    const board = foldCalls(messages, SOON);
    expect(board.ignored?.has(idAt(7))).toBe(false);
    expect(board.calls.get(CALL)?.participants.filter((p) => p.leftAt === undefined)).toHaveLength(4);
  });

  it("ignores a join of a device already in the call, and a join under another principal's device", () => {
    const board = foldCalls(
      [
        callMsg(1, ANNA),
        eventMsg(2, BEN, 1, "join"),
        eventMsg(3, BEN, 1, "join"),
        eventMsg(4, CARL, 1, "join", { device: dev(BEN) }),
      ],
      SOON,
    );
    expect(board.ignored?.get(idAt(3))?.reason).toBe("not_now");
    expect(board.ignored?.get(idAt(4))?.reason).toBe("invalid");
  });

  it("a device that leaves and joins again keeps its place with its latest stay", () => {
    const board = foldCalls(
      [
        callMsg(1, ANNA),
        eventMsg(2, BEN, 1, "join"),
        eventMsg(3, BEN, 1, "leave"),
        eventMsg(4, CARL, 1, "join"),
        eventMsg(5, BEN, 1, "join"),
      ],
      SOON,
    );
    const call = board.calls.get(CALL);
    expect(call?.participants.map((p) => [p.principalId, p.joinedAt, p.leftAt])).toEqual([
      [ANNA, tsAt(1), undefined],
      [BEN, tsAt(5), undefined],
      [CARL, tsAt(4), undefined],
    ]);
    expect(call?.answeredAt).toBe(tsAt(2));
  });

  it("ends when the last participant leaves: answered, from the first answer to the last leave", () => {
    const board = foldCalls(
      [callMsg(1, ANNA), eventMsg(4, BEN, 1, "join"), eventMsg(9, ANNA, 1, "leave"), eventMsg(12, BEN, 1, "leave")],
      SOON,
    );
    expect(board.calls.get(CALL)).toMatchObject({
      state: "ended",
      outcome: "answered",
      answeredAt: tsAt(4),
      endedAt: tsAt(12),
      durationMs: tsAt(12) - tsAt(4),
    });
    expect(board.calls.get(CALL)?.participants.map((p) => p.leftAt)).toEqual([tsAt(9), tsAt(12)]);
  });

  it("a participant leaves a dropped device for it; one not in the call cannot", () => {
    const board = foldCalls(
      [
        callMsg(1, ANNA),
        eventMsg(2, BEN, 1, "join"),
        eventMsg(3, CARL, 1, "leave", { leaves: dev(BEN) }),
        eventMsg(4, ANNA, 1, "leave", { leaves: dev(BEN) }),
        eventMsg(5, ANNA, 1, "leave", { leaves: dev(BEN) }),
      ],
      SOON,
    );
    const call = board.calls.get(CALL);
    expect(board.ignored?.get(idAt(3))?.reason).toBe("not_now");
    expect(call?.participants[1]).toMatchObject({ device: dev(BEN), leftAt: tsAt(4), dropped: true });
    expect(board.ignored?.get(idAt(5))?.reason).toBe("not_now");
    expect(call?.state).toBe("active");
  });

  it("a caller who gives up before anyone answers leaves a missed call", () => {
    const board = foldCalls([callMsg(1, ANNA), eventMsg(5, ANNA, 1, "leave")], SOON);
    expect(board.calls.get(CALL)).toMatchObject({ state: "ended", outcome: "missed", endedAt: tsAt(5) });
    expect(board.calls.get(CALL)?.durationMs).toBeUndefined();
  });

  it("a decline does not end the call; the caller hanging up then makes it declined", () => {
    const folder = new CallsFolder();
    folder.apply(callMsg(1, ANNA));
    folder.apply(eventMsg(2, BEN, 1, "decline"));
    folder.apply(eventMsg(3, BEN, 1, "decline", { device: dev(BEN, 2) }));
    expect(folder.at(SOON).calls.get(CALL)).toMatchObject({ state: "ringing", declined: [BEN] });
    folder.apply(eventMsg(4, ANNA, 1, "leave"));
    expect(folder.at(SOON).calls.get(CALL)).toMatchObject({ state: "ended", outcome: "declined", endedAt: tsAt(4) });
  });

  it("busy alone reads busy; a decline beside it reads declined; an answer beside both reads answered", () => {
    const busy = foldCalls([callMsg(1, ANNA), eventMsg(2, BEN, 1, "busy"), eventMsg(3, ANNA, 1, "leave")], SOON);
    expect(busy.calls.get(CALL)).toMatchObject({ outcome: "busy", busy: [BEN] });
    const both = [callMsg(1, ANNA), eventMsg(2, BEN, 1, "busy"), eventMsg(3, CARL, 1, "decline")];
    expect(foldCalls([...both, eventMsg(4, ANNA, 1, "leave")], SOON).calls.get(CALL)?.outcome).toBe("declined");
    const answered = [...both, eventMsg(4, AGENT, 1, "join"), eventMsg(5, ANNA, 1, "leave")];
    expect(foldCalls([...answered, eventMsg(6, AGENT, 1, "leave")], SOON).calls.get(CALL)?.outcome).toBe("answered");
  });

  it("ignores a decline or busy from the caller, and events after the end", () => {
    const board = foldCalls(
      [
        callMsg(1, ANNA),
        eventMsg(2, ANNA, 1, "decline", { device: dev(ANNA, 2) }),
        eventMsg(3, ANNA, 1, "busy", { device: dev(ANNA, 2) }),
        eventMsg(4, ANNA, 1, "leave"),
        eventMsg(5, BEN, 1, "join"),
        eventMsg(6, BEN, 1, "decline"),
      ],
      SOON,
    );
    for (const seq of [2, 3, 5, 6]) expect(board.ignored?.get(idAt(seq))?.reason).toBe("not_now");
    expect(board.calls.get(CALL)).toMatchObject({ outcome: "missed", declined: [] });
  });

  it("stops ringing RING_MS after the start: missed, read at the shared clock's now", () => {
    const folder = new CallsFolder();
    folder.apply(callMsg(1, ANNA));
    const ringing = folder.at(T0 + RING_MS - 1);
    expect(ringing.calls.get(CALL)?.state).toBe("ringing");
    expect(folder.nextChange).toBe(T0 + RING_MS);
    expect(folder.at(T0 + RING_MS - 1)).toBe(ringing);
    const over = folder.at(T0 + RING_MS);
    expect(over.calls.get(CALL)).toMatchObject({ state: "ended", outcome: "missed", endedAt: T0 + RING_MS });
    expect(over.calls.get(CALL)?.participants[0]?.leftAt).toBe(T0 + RING_MS);
    expect(folder.nextChange).toBe(Number.POSITIVE_INFINITY);
    // Read earlier again (the clock was measured anew), it rings again: the read depends on `now` only.
    expect(folder.at(T0).calls.get(CALL)?.state).toBe("ringing");
  });

  it("a join stored after the ring ran out is too late; one within it answers", () => {
    const late = tsAt(1) + RING_MS;
    const board = foldCalls([callMsg(1, ANNA), eventMsg(2, BEN, 1, "join", { ts: late, at: late })], late + 10);
    expect(board.ignored?.get(idAt(2))?.reason).toBe("not_now");
    expect(board.calls.get(CALL)).toMatchObject({ outcome: "missed", endedAt: late });
    const inTime = foldCalls([callMsg(1, ANNA), eventMsg(2, BEN, 1, "join", { ts: late - 1, at: late - 1 })], late);
    expect(inTime.calls.get(CALL)?.state).toBe("active");
  });

  it("a call silent for MAX_SILENT_CALL_MS reads ended at its last event", () => {
    const messages = [callMsg(1, ANNA), eventMsg(2, BEN, 1, "join")];
    const last = tsAt(2);
    expect(foldCalls(messages, last + MAX_SILENT_CALL_MS - 1).calls.get(CALL)?.state).toBe("active");
    expect(foldCalls(messages, last + MAX_SILENT_CALL_MS).calls.get(CALL)).toMatchObject({
      state: "ended",
      outcome: "answered",
      endedAt: last,
      durationMs: 0,
    });
    const after = eventMsg(3, BEN, 1, "leave", { ts: last + MAX_SILENT_CALL_MS, at: last + MAX_SILENT_CALL_MS });
    expect(foldCalls([...messages, after], last + MAX_SILENT_CALL_MS).ignored?.get(idAt(3))?.reason).toBe("not_now");
  });

  it("takes an event's at no later than its server time and no earlier than the call's last event", () => {
    const board = foldCalls(
      [
        callMsg(1, ANNA, { at: tsAt(1) + 60_000 }),
        eventMsg(2, BEN, 1, "join", { at: tsAt(2) - 5_000 }),
        eventMsg(3, BEN, 1, "leave", { at: tsAt(3) + 9_000 }),
      ],
      SOON,
    );
    const call = board.calls.get(CALL);
    expect(call?.startedAt).toBe(tsAt(1));
    expect(call?.answeredAt).toBe(tsAt(1));
    expect(call?.participants[1]).toMatchObject({ joinedAt: tsAt(1), leftAt: tsAt(3) });
  });

  it("ignores events of unknown calls and invalid bodies", () => {
    const noDevice = { ...eventMsg(4, BEN, 1, "join") };
    delete noDevice.senderDevice;
    const badCall = callMsg(2, BEN);
    (badCall.body as unknown as { call: unknown }).call = { media: "smell", at: 1 };
    const badEvent = eventMsg(3, BEN, 1, "join");
    (badEvent.body as unknown as { event: Record<string, unknown> }).event.extra = 1;
    const board = foldCalls(
      [callMsg(1, ANNA), badCall, badEvent, noDevice, eventMsg(5, BEN, 99, "join"), eventMsg(6, BEN, 2, "join")],
      SOON,
    );
    expect([2, 3, 4, 5, 6].map((seq) => board.ignored?.get(idAt(seq))?.reason)).toEqual([
      "invalid",
      "invalid",
      "invalid",
      "unknown_call",
      "unknown_call",
    ]);
    expect(board.calls.size).toBe(1);
  });

  it("refuses a message whose seq is not above the last, and a msgId folded before", () => {
    const folder = new CallsFolder();
    expect(folder.apply(callMsg(2, ANNA))).toBe(true);
    expect(folder.apply(eventMsg(1, BEN, 2, "join"))).toBe(false);
    expect(folder.apply({ ...callMsg(2, ANNA), seq: 3 })).toBe(false);
    expect(folder.at(SOON).calls.get(idAt(2))?.participants).toHaveLength(1);
  });

  it("rings for the others until they join, decline or answer busy, or the ring runs out", () => {
    const messages = [callMsg(1, ANNA), eventMsg(2, BEN, 1, "join", { device: dev(BEN, 2) })];
    messages.push(eventMsg(3, CARL, 1, "decline"));
    const call = foldCalls(messages, SOON).calls.get(CALL);
    if (!call) throw new Error("no call");
    expect(ringsFor(call, ANNA, SOON)).toBe(false);
    expect(ringsFor(call, BEN, SOON)).toBe(false);
    expect(ringsFor(call, CARL, SOON)).toBe(false);
    expect(ringsFor(call, AGENT, SOON)).toBe(true);
    expect(ringsFor(call, AGENT, T0 + RING_MS)).toBe(false);
  });
});
