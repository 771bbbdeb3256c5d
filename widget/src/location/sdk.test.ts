import { LIVE_DURATIONS_MS as PROTOCOL_DURATIONS, MAX_ACCURACY_M as PROTOCOL_MAX } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { LIVE_DURATIONS_MS, MAX_ACCURACY_M } from "./sdk.js";

describe("the location chunk's protocol constants", () => {
  it("are the protocol's", () => {
    expect(LIVE_DURATIONS_MS).toEqual(PROTOCOL_DURATIONS);
    expect(MAX_ACCURACY_M).toBe(PROTOCOL_MAX);
  });
});
