import { INVITE_HISTORY_WINDOW_MS, type InviteInfo } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { assertAnswerable, cooldownLeft, DECLINE_COOLDOWN_MS, historyFloor, statusAt, toInfo } from "./invite-rules.js";

const T = 1_700_000_000_000;
const invite = (over: Partial<InviteInfo> = {}): InviteInfo => ({
  id: "in_1",
  convId: "cv_1",
  shopId: "shop",
  inviter: "p-a",
  inviterName: "A",
  invitee: "p-b",
  status: "pending",
  history: "none",
  createdAt: T,
  expiresAt: T + 1000,
  ...over,
});
const codeOf = (run: () => void): string | undefined => {
  try {
    run();
  } catch (err) {
    if (err instanceof GatewayError) return err.code;
    throw err;
  }
  return undefined;
};

describe("invite rules", () => {
  it("answers a pending invite as expired from its expiresAt on, and never a settled one", () => {
    expect(statusAt(invite(), T + 999)).toBe("pending");
    expect(statusAt(invite(), T + 1000)).toBe("expired");
    expect(statusAt(invite({ status: "declined" }), T + 5000)).toBe("declined");
    expect(toInfo({ ...invite(), dropped: true }, T + 1000)).toEqual({ ...invite(), status: "expired" });
  });

  it("refuses to answer a revoked, expired or settled invite with its code", () => {
    expect(codeOf(() => assertAnswerable(invite(), T))).toBeUndefined();
    expect(codeOf(() => assertAnswerable(invite({ status: "revoked" }), T))).toBe("invite_revoked");
    expect(codeOf(() => assertAnswerable(invite(), T + 1000))).toBe("invite_expired");
    expect(codeOf(() => assertAnswerable(invite({ status: "accepted" }), T))).toBe("conflict");
  });

  it("counts the cooldown in whole seconds from the decline, and ends it after 24 hours", () => {
    const declined = invite({ status: "declined", settledAt: T });
    expect(cooldownLeft(undefined, T)).toBe(0);
    expect(cooldownLeft(declined, T)).toBe(DECLINE_COOLDOWN_MS / 1000);
    expect(cooldownLeft(declined, T + DECLINE_COOLDOWN_MS - 1)).toBe(1);
    expect(cooldownLeft(declined, T + DECLINE_COOLDOWN_MS)).toBe(0);
  });

  it("puts the history floor at the accept, a week before it, or nowhere", () => {
    expect(historyFloor("none", T)).toBe(T);
    expect(historyFloor("7d", T)).toBe(T - INVITE_HISTORY_WINDOW_MS);
    expect(historyFloor("all", T)).toBeUndefined();
  });
});
