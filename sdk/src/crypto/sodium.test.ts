import { afterEach, describe, expect, it, vi } from "vitest";
import { loadSodium, loadSodiumBackend, type SodiumBackend, sodiumBackend, withSodiumBackend } from "./sodium.js";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const BACKENDS: SodiumBackend[] = ["wasm", "native"];

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
  });

  it("runs on native libsodium in Node, where sodium-native has a build for the platform", async () => {
    const expected = process.env.PARLEY_SODIUM === "wasm" ? "wasm" : "native";
    expect(await sodiumBackend()).toBe(expected);
    expect(await loadSodium()).toBe(await loadSodiumBackend(expected));
    expect(await loadSodiumBackend("wasm")).not.toBe(await loadSodiumBackend("native"));
  });

  describe("the PARLEY_SODIUM environment variable, read by a freshly imported module", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });
    const freshBackend = async (value: string | undefined) => {
      vi.stubEnv("PARLEY_SODIUM", value);
      vi.resetModules();
      const fresh: typeof import("./sodium.js") = await import("./sodium.js");
      expect(fresh.loadSodium).not.toBe(loadSodium); // a new module instance, with nothing loaded yet
      return { backend: await fresh.sodiumBackend(), sodium: await fresh.loadSodium(), fresh };
    };

    it("PARLEY_SODIUM=wasm selects the wasm build", async () => {
      const { backend, sodium, fresh } = await freshBackend("wasm");
      expect(backend).toBe("wasm");
      expect(sodium).toBe(await fresh.loadSodiumBackend("wasm"));
      // Forcing wasm does not hide the native backend from code that asks for it by name.
      expect(await fresh.loadSodiumBackend("native")).not.toBe(sodium);
    });

    it("unset, or any other value, selects native", async () => {
      expect((await freshBackend(undefined)).backend).toBe("native");
      expect((await freshBackend("native")).backend).toBe("native");
      expect((await freshBackend("WASM")).backend).toBe("native");
    });
  });

  it("withSodiumBackend pins the backend for its task and restores the previous one, also after a throw", async () => {
    const before = await sodiumBackend();
    const other: SodiumBackend = before === "native" ? "wasm" : "native";
    const seen = await withSodiumBackend(other, async () => {
      const inner = await withSodiumBackend(before, () => sodiumBackend());
      return [await sodiumBackend(), inner, await sodiumBackend()];
    });
    expect(seen).toEqual([other, before, other]);
    expect(await sodiumBackend()).toBe(before);
    await expect(
      withSodiumBackend(other, async () => {
        throw new Error("task failed");
      }),
    ).rejects.toThrow("task failed");
    expect(await sodiumBackend()).toBe(before);
  });
});

describe.each(BACKENDS)("known answers on the %s backend", (backend) => {
  it("BLAKE2b: RFC 7693 values for the empty string (256-bit) and 'abc' (512-bit)", async () => {
    const sodium = await loadSodiumBackend(backend);
    expect(toHex(sodium.crypto_generichash(32, new Uint8Array(), null))).toBe(
      "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
    );
    expect(toHex(sodium.crypto_generichash(64, "abc", null))).toBe(
      "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1" +
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923",
    );
  });

  it("Ed25519: RFC 8032 test 1 signs to the published signature, which verifies; a flipped bit does not", async () => {
    const sodium = await loadSodiumBackend(backend);
    const seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const { publicKey, privateKey } = sodium.crypto_sign_seed_keypair(seed);
    expect(toHex(publicKey)).toBe("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    const sig = sodium.crypto_sign_detached(new Uint8Array(), privateKey);
    expect(toHex(sig)).toBe(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
    expect(sodium.crypto_sign_verify_detached(sig, new Uint8Array(), publicKey)).toBe(true);
    sig[10] = (sig[10] ?? 0) ^ 1;
    expect(sodium.crypto_sign_verify_detached(sig, new Uint8Array(), publicKey)).toBe(false);
  });
});
