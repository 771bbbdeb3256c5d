import { describe, expect, it } from "vitest";
import { loadSodium } from "./sodium.js";

describe("loadSodium", () => {
  it("loads libsodium once and hands every caller the same ready instance", async () => {
    const [a, b] = await Promise.all([loadSodium(), loadSodium()]);
    expect(a).toBe(b);
    expect(await loadSodium()).toBe(a);
    expect(loadSodium()).toBe(loadSodium());
    expect(a.SODIUM_VERSION_STRING).toMatch(/^\d+\.\d+\.\d+/);
    for (const fn of [
      a.crypto_aead_xchacha20poly1305_ietf_encrypt,
      a.crypto_sign_detached,
      a.crypto_box_seal,
      a.crypto_generichash,
    ]) {
      expect(fn).toBeTypeOf("function");
    }
    // The functions work, not just exist: BLAKE2b-256 of "" (RFC 7693 reference value).
    expect(a.to_hex(a.crypto_generichash(32, new Uint8Array(), null))).toBe(
      "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
    );
  });
});
