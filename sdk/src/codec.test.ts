import { describe, expect, it } from "vitest";
import { plainCodec } from "./codec.js";

const header = { v: 1 as const, convId: "cv_1", epoch: 0, msgId: "m_0000000000000001", senderDevice: "d_1", ts: 5 };

describe("plainCodec", () => {
  it("round-trips text with non-ASCII characters and cards", async () => {
    for (const body of [
      { type: "text" as const, text: "Grüße 👋 — مرحبا" },
      { type: "card" as const, card: { kind: "order", orderId: "A-17", total: 42.5 } },
    ]) {
      const env = await plainCodec.seal(header, body);
      expect(env).toMatchObject({ ...header, alg: "none" });
      expect(await plainCodec.open(env)).toEqual(body);
    }
  });

  it("refuses envelopes it cannot read rather than guessing", async () => {
    const env = await plainCodec.seal(header, { type: "text", text: "x" });
    await expect(plainCodec.open({ ...env, alg: "xc20p-ed25519" })).rejects.toThrow();
    await expect(plainCodec.open({ ...env, ct: "bm90IGpzb24" })).rejects.toThrow();
    await expect(plainCodec.open({ ...env, ct: "eyJ0eXBlIjoiaHRtbCJ9" })).rejects.toThrow("not a message body");
  });
});
