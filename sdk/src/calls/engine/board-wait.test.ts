import { afterEach, describe, expect, it, vi } from "vitest";
import { StateStore } from "../../state-store.js";
import type { CallRecord, CallsBoard } from "../api.js";
import { BOARD_WAIT_MS, waitForRecord } from "./board-wait.js";

const record = (devices: string[]): CallRecord => ({
  id: "m_call",
  seq: 1,
  convId: "c_1",
  media: "audio",
  caller: "mia",
  callerDevice: "d_mia",
  fromTeam: false,
  startedAt: 0,
  participants: devices.map((device) => ({ principalId: device.slice(2), device, fromTeam: false, joinedAt: 0 })),
  declined: [],
  busy: [],
  state: "active",
});
const board = (devices: string[]): CallsBoard => ({ calls: new Map([["m_call", record(devices)]]) });
const joined = (device: string) => (r: CallRecord) => r.participants.some((p) => p.device === device);

describe("waiting on the board", () => {
  afterEach(() => vi.useRealTimers());

  it("resolves at once when the record already holds, and stops listening", async () => {
    const store = new StateStore<CallsBoard>(board(["d_mia", "d_ada"]));
    const seen = vi.fn();
    const original = store.subscribe.bind(store);
    store.subscribe = (listener) => {
      const off = original((next, prev) => {
        seen();
        listener(next, prev);
      });
      return off;
    };
    expect((await waitForRecord(store, "m_call", { test: joined("d_ada"), over: () => false }))?.id).toBe("m_call");
    store.set(board(["d_mia"]));
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it("resolves when a later board holds", async () => {
    const store = new StateStore<CallsBoard>({ calls: new Map() });
    const waiting = waitForRecord(store, "m_call", { test: joined("d_ada"), over: () => false });
    store.set(board(["d_mia"]));
    store.set(board(["d_mia", "d_ada"]));
    expect((await waiting)?.participants).toHaveLength(2);
  });

  it("gives up after BOARD_WAIT_MS, or when the call is over", async () => {
    vi.useFakeTimers();
    const store = new StateStore<CallsBoard>(board(["d_mia"]));
    const waiting = waitForRecord(store, "m_call", { test: joined("d_ada"), over: () => false });
    vi.advanceTimersByTime(BOARD_WAIT_MS);
    expect(await waiting).toBeUndefined();
    let over = false;
    const ending = waitForRecord(store, "m_call", { test: joined("d_ada"), over: () => over });
    over = true;
    store.set(board(["d_mia"]));
    expect(await ending).toBeUndefined();
  });
});
