/**
 * What the engine decides before any media: it refuses a call without
 * end-to-end encryption and where there is no WebRTC (Node has none; the
 * engine's real behaviour is tested in Chromium, gateway/test/calls/). The host
 * is a stand-in that records what would be sent: nothing may be.
 */
import { describe, expect, it } from "vitest";
import type { LiveChannel } from "../../client/live-channel.js";
import { ParleyError } from "../../errors.js";
import { StateStore } from "../../state-store.js";
import type { CallsBoard } from "../api.js";
import type { CallEngineHost } from "../engine-api.js";
import { CallEngine } from "./index.js";

function host(encrypted: boolean): CallEngineHost & { sent: unknown[] } {
  const sent: unknown[] = [];
  const live: LiveChannel = {
    send: async (_c, l) => void sent.push(l),
    onSignal: () => () => {},
    onUnverified: () => () => {},
  };
  return {
    sent,
    self: "c_mia",
    deviceId: "d_mia",
    encrypted,
    live,
    send: async (_c, body) => {
      sent.push(body);
      throw new Error("not in this test");
    },
    iceServers: async () => [],
    board: () => new StateStore<CallsBoard>({ calls: new Map() }),
    now: () => Date.now(),
    report: () => {},
  };
}

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
  }
  return "none";
};

describe("the call engine before media", () => {
  it("refuses to start or join without end-to-end encryption", async () => {
    const h = host(false);
    const engine = new CallEngine(h);
    expect(await codeOf(engine.start("c_1", "video"))).toBe("call_unavailable");
    expect(await codeOf(engine.accept("c_1", "m_call_000000000000"))).toBe("call_unavailable");
    expect(h.sent).toEqual([]);
    expect(engine.busy()).toBe(false);
    expect(engine.current.value).toBeUndefined();
  });

  it("refuses where there is no WebRTC (Node)", async () => {
    const h = host(true);
    const engine = new CallEngine(h);
    expect(await codeOf(engine.start("c_1", "audio"))).toBe("call_unavailable");
    expect(h.sent).toEqual([]);
    // Controls without a call do nothing.
    engine.setMuted(true);
    await engine.setCamera(false);
    await engine.hangUp();
    engine.unverified("c_1", "a_ada", "bad_header");
    expect(engine.current.value).toBeUndefined();
    engine.close();
  });
});
