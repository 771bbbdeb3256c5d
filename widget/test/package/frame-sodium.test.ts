// The frame's trimmed libsodium (widget/scripts/sodium-prune.mjs): the built chunk and the built wasm,
// loaded as the frame loads them, compute what the untouched libsodium-wrappers package computes for
// every call the SDK makes, and the calls the frame never makes are gone.
//
// One stand-in: Node's fetch cannot read file: URLs, and the chunk fetches its wasm from a URL beside
// itself. While the chunk loads, fetch answers file: URLs from disk (the same bytes the gateway
// serves; embed.test.ts and serving.test.ts check the frame in Chromium over the real gateway).
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import sodiumModule from "libsodium-wrappers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneSodiumWrappers } from "../../scripts/sodium-prune.mjs";
import { ensureWidgetBuilt } from "../embed/fixtures.js";

const FRAME = fileURLToPath(new URL("../../dist/frame/", import.meta.url));
type Sodium = typeof sodiumModule;

let trimmed: Sodium;
const full = sodiumModule;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  ensureWidgetBuilt();
  const meta = JSON.parse(await readFile(`${FRAME}../build-meta.json`, "utf8")) as {
    outputs: Record<string, { entryPoint?: string }>;
  };
  const chunk = Object.entries(meta.outputs).find(([, o]) => o.entryPoint?.includes("libsodium-wrappers"))?.[0];
  if (!chunk) throw new Error("no libsodium-wrappers chunk in the frame build");
  globalThis.fetch = async (input, init) => {
    const url = input instanceof URL ? input : new URL(String(input));
    if (url.protocol !== "file:") return realFetch(input, init);
    return new Response(await readFile(url), { headers: { "content-type": "application/wasm" } });
  };
  const loaded = (await import(pathToFileURL(`${FRAME}${chunk}`).href)) as { default: Sodium };
  trimmed = loaded.default;
  await Promise.all([trimmed.ready, full.ready]);
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

describe("the frame's trimmed libsodium", () => {
  it("loads the trimmed wasm, and a call the frame never makes is absent", async () => {
    const wasm = (await import("node:fs")).readdirSync(FRAME).find((n) => /^libsodium-.*\.wasm$/.test(n));
    const bytes = await readFile(`${FRAME}${wasm}`);
    expect(bytes.length).toBeLessThan(150_000);
    for (const name of ["crypto_auth", "crypto_box_easy", "crypto_secretbox_keygen"] as const) {
      expect(typeof full[name], name).toBe("function");
      expect((trimmed as Partial<Sodium>)[name], name).toBeUndefined();
    }
    expect(trimmed.SODIUM_VERSION_STRING).toBe(full.SODIUM_VERSION_STRING);
    expect(trimmed.crypto_secretstream_xchacha20poly1305_TAG_FINAL).toBe(
      full.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    );
  });

  it("matches the full library on the deterministic calls the SDK makes", () => {
    const seed = full.crypto_generichash(32, full.from_string("frame-sodium seed"), null);
    const a = trimmed.crypto_sign_seed_keypair(seed);
    expect(a.privateKey).toEqual(full.crypto_sign_seed_keypair(seed).privateKey);
    const message = full.from_string("a message to the shop");
    const signature = trimmed.crypto_sign_detached(message, a.privateKey);
    expect(signature).toEqual(full.crypto_sign_detached(message, a.privateKey));
    expect(trimmed.crypto_sign_verify_detached(signature, message, a.publicKey)).toBe(true);
    expect(trimmed.crypto_sign_verify_detached(signature, full.from_string("another"), a.publicKey)).toBe(false);

    expect(trimmed.crypto_generichash(32, message, seed)).toEqual(full.crypto_generichash(32, message, seed));
    expect(trimmed.crypto_scalarmult_base(seed)).toEqual(full.crypto_scalarmult_base(seed));
    const other = full.crypto_generichash(32, seed, null);
    const point = full.crypto_scalarmult_base(other);
    expect(trimmed.crypto_scalarmult(seed, point)).toEqual(full.crypto_scalarmult(seed, point));
    expect(trimmed.crypto_kdf_derive_from_key(32, 1, "pnotes01", seed)).toEqual(
      full.crypto_kdf_derive_from_key(32, 1, "pnotes01", seed),
    );

    const nonce = full.crypto_generichash(24, seed, null);
    const sealed = trimmed.crypto_aead_xchacha20poly1305_ietf_encrypt(message, seed, null, nonce, other);
    expect(sealed).toEqual(full.crypto_aead_xchacha20poly1305_ietf_encrypt(message, seed, null, nonce, other));
    expect(trimmed.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, seed, nonce, other)).toEqual(message);
    expect(() => trimmed.crypto_aead_xchacha20poly1305_ietf_decrypt(null, sealed, message, nonce, other)).toThrow();
  });

  it("opens what the full library seals and the other way round (random keys and nonces)", () => {
    const message = full.from_string("sealed for the team");
    const box = trimmed.crypto_box_keypair();
    expect(
      full.crypto_box_seal_open(trimmed.crypto_box_seal(message, box.publicKey), box.publicKey, box.privateKey),
    ).toEqual(message);
    expect(
      trimmed.crypto_box_seal_open(full.crypto_box_seal(message, box.publicKey), box.publicKey, box.privateKey),
    ).toEqual(message);
    const signer = trimmed.crypto_sign_keypair();
    expect(
      full.crypto_sign_verify_detached(
        trimmed.crypto_sign_detached(message, signer.privateKey),
        message,
        signer.publicKey,
      ),
    ).toBe(true);
    expect(trimmed.randombytes_buf(16)).toHaveLength(16);

    // File transfer's stream (sdk/src/crypto/file-crypto.ts): pushed by one build, pulled by the other.
    const key = full.crypto_generichash(32, message, null);
    const push = trimmed.crypto_secretstream_xchacha20poly1305_init_push(key);
    const chunk = trimmed.crypto_secretstream_xchacha20poly1305_push(
      push.state,
      message,
      null,
      full.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    );
    const pull = full.crypto_secretstream_xchacha20poly1305_init_pull(push.header, key);
    const pulled = full.crypto_secretstream_xchacha20poly1305_pull(pull, chunk, null);
    expect(pulled === false ? pulled : pulled.message).toEqual(message);
    const back = full.crypto_secretstream_xchacha20poly1305_init_push(key);
    const sent = full.crypto_secretstream_xchacha20poly1305_push(back.state, message, null, 0);
    const got = trimmed.crypto_secretstream_xchacha20poly1305_pull(
      trimmed.crypto_secretstream_xchacha20poly1305_init_pull(back.header, key),
      sent,
      null,
    );
    expect(got === false ? got : got.message).toEqual(message);
    expect(trimmed.memcmp(message, message)).toBe(true);
  });
});

describe("pruneSodiumWrappers", () => {
  it("refuses a wrappers module whose call table it does not recognise", () => {
    expect(() => pruneSodiumWrappers("export default {}", new Set())).toThrow(/no longer has one table/);
  });
});
