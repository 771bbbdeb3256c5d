import { describe, expect, it } from "vitest";
import { measureCryptoPerMessage } from "./bench.js";

describe("measureCryptoPerMessage", () => {
  it("runs real seal and open round trips and reports a positive cost per message (value not asserted)", async () => {
    const micros = await measureCryptoPerMessage(5);
    expect(Number.isFinite(micros)).toBe(true);
    expect(micros).toBeGreaterThan(0);
    await expect(measureCryptoPerMessage(0)).rejects.toThrow(RangeError);
  });
});
