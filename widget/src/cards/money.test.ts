// Money on cards: exact decimal strings from integer minor units, the viewer's locale, and amounts
// people type read back into minor units without floats.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decimalOf, formatMoney, fractionDigits, parseAmount } from "./money.js";

describe("card money", () => {
  it("formats minor units in English and German", () => {
    expect(formatMoney(1234, "EUR", "en")).toBe("€12.34");
    expect(formatMoney(1234, "EUR", "de")).toBe("12,34\u00a0€");
    expect(formatMoney(5, "EUR", "en")).toBe("€0.05");
    expect(formatMoney(1234, "JPY", "en")).toBe("¥1,234");
    expect(formatMoney(1234, "KWD", "en")).toBe("KWD\u00a01.234");
    expect(formatMoney(100_000_000_000, "EUR", "de")).toBe("1.000.000.000,00\u00a0€");
  });

  it("uses the currency's own digits", () => {
    expect([fractionDigits("EUR"), fractionDigits("JPY"), fractionDigits("KWD")]).toEqual([2, 0, 3]);
    expect(decimalOf(7, "KWD")).toBe("0.007");
  });

  it("reads typed amounts exactly and refuses more digits than the currency has", () => {
    expect(parseAmount("12,5", "EUR")).toBe(1250);
    expect(parseAmount(" 10.33 ", "EUR")).toBe(1033);
    expect(parseAmount("7", "EUR")).toBe(700);
    expect(parseAmount("0.001", "EUR")).toBeUndefined();
    expect(parseAmount("-1", "EUR")).toBeUndefined();
    expect(parseAmount("1e3", "EUR")).toBeUndefined();
  });

  it("round-trips every amount through its decimal string", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000_000 }), fc.constantFrom("EUR", "JPY", "KWD"), (n, cur) => {
        expect(parseAmount(decimalOf(n, cur), cur)).toBe(n);
      }),
    );
  });
});
