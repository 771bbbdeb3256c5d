import { describe, expect, it } from "vitest";
import { measureCryptoPerMessage } from "./bench.js";
import { sodiumBackend } from "./sodium.js";

describe("measureCryptoPerMessage", () => {
  it("runs real seal and open round trips and reports a positive cost per message (value not asserted)", async () => {
    const micros = await measureCryptoPerMessage(5);
    expect(Number.isFinite(micros)).toBe(true);
    expect(micros).toBeGreaterThan(0);
    await expect(measureCryptoPerMessage(0)).rejects.toThrow(RangeError);
  });

  it.each(["wasm", "native"] as const)(
    "measures the %s backend when asked, then leaves the default in place",
    async (backend) => {
      const before = await sodiumBackend();
      expect(await measureCryptoPerMessage(5, backend)).toBeGreaterThan(0);
      expect(await sodiumBackend()).toBe(before);
    },
  );
});
