/**
 * The native backend (native-sodium.ts) against the wasm build it stands in
 * for, both the real libraries: the same bytes, answers and errors from every
 * function it overrides, envelopes sealed on one opening on the other, and
 * proof that well-formed calls really run on native libsodium.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../base64url.js";
import type { EnvelopeHeader } from "../protocol/index.js";
import { createDeviceIdentity } from "./device-keys.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { DecryptError, openMessage, sealMessage } from "./message-crypto.js";
import { loadNativeSodium } from "./native-sodium.js";
import { randomBytes } from "./random.js";
import { createEpochKey, openEpochKey, sealEpochKey } from "./seal-box.js";
import { loadSodiumBackend, type Sodium, type SodiumBackend, withSodiumBackend } from "./sodium.js";

const wasm = await loadSodiumBackend("wasm");
const native = await loadSodiumBackend("native");

const OVERRIDDEN: readonly string[] = [
  "crypto_sign_detached",
  "crypto_sign_verify_detached",
  "crypto_aead_xchacha20poly1305_ietf_encrypt",
  "crypto_aead_xchacha20poly1305_ietf_decrypt",
  "crypto_box_seal",
  "crypto_box_seal_open",
];

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const flipBit = (bytes: Uint8Array, bit: number) => {
  const out = bytes.slice();
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] ?? 0) ^ (1 << (bit % 8));
  return out;
};

/** What a call did, comparable across backends: the value with its exact type, or the error's class and message. */
function outcome(call: () => unknown): string {
  try {
    const value = call();
    return value instanceof Uint8Array ? `${value.constructor.name} ${toHex(value)}` : `${typeof value} ${value}`;
  } catch (error) {
    return error instanceof Error ? `throws ${error.constructor.name}: ${error.message}` : `throws ${String(error)}`;
  }
}

const alice = await createDeviceIdentity();
const signer = wasm.crypto_sign_keypair();
const box = wasm.crypto_box_keypair();
const otherBox = wasm.crypto_box_keypair();
const key = randomBytes(32);
const nonce = randomBytes(24);
const message = randomBytes(100);
const ad = randomBytes(20);
const sig = wasm.crypto_sign_detached(message, signer.privateKey);
const ciphertext = wasm.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ad, null, nonce, key);
const sealed = wasm.crypto_box_seal(message, box.publicKey);
/** A point of order 8 on Curve25519: X25519 with it gives an all-zero secret, which libsodium refuses. */
const lowOrder = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
/**
 * Calls as untyped JavaScript might make them: any argument of any type. The
 * valid sealed box is random, so `seal` compares its length.
 */
type Call = (sodium: Sodium) => unknown;
const bad = (value: unknown) => value as never;
const sign =
  (m: unknown, sk: unknown, format?: unknown): Call =>
  (s) =>
    s.crypto_sign_detached(bad(m), bad(sk), bad(format));
const verify =
  (sg: unknown, m: unknown, pk: unknown): Call =>
  (s) =>
    s.crypto_sign_verify_detached(bad(sg), bad(m), bad(pk));
const encrypt =
  (m: unknown, a: unknown, nsec: unknown, n: unknown, k: unknown, format?: unknown): Call =>
  (s) =>
    s.crypto_aead_xchacha20poly1305_ietf_encrypt(bad(m), bad(a), bad(nsec), bad(n), bad(k), bad(format));
const decrypt =
  (nsec: unknown, c: unknown, a: unknown, n: unknown, k: unknown, format?: unknown): Call =>
  (s) =>
    s.crypto_aead_xchacha20poly1305_ietf_decrypt(bad(nsec), bad(c), bad(a), bad(n), bad(k), bad(format));
const seal =
  (m: unknown, pk: unknown): Call =>
  (s) =>
    s.crypto_box_seal(bad(m), bad(pk)).length;
const open =
  (c: unknown, pk: unknown, sk: unknown, format?: unknown): Call =>
  (s) =>
    s.crypto_box_seal_open(bad(c), bad(pk), bad(sk), bad(format));

const { privateKey: sk, publicKey: pk } = signer;
const cases: [name: string, expected: "returns" | "throws", call: Call][] = [
  ["sign: a string message (UTF-8)", "returns", sign("hello, wörld", sk)],
  ["sign: an empty message", "returns", sign(new Uint8Array(), sk)],
  ["sign: hex output", "returns", sign(message, sk, "hex")],
  ["sign: an unknown output format", "throws", sign(message, sk, "b32")],
  ["sign: a 63-byte secret key", "throws", sign(message, sk.subarray(1))],
  ["sign: a 65-byte secret key", "throws", sign(message, new Uint8Array(65))],
  ["sign: a null secret key", "throws", sign(message, null)],
  ["sign: an undefined message", "throws", sign(undefined, sk)],
  ["sign: a Uint16Array message", "throws", sign(new Uint16Array(4), sk)],
  ["sign: a number as message", "throws", sign(42, sk)],
  ["verify: a good signature", "returns", verify(sig, message, pk)],
  ["verify: another message", "returns", verify(sig, ad, pk)],
  ["verify: a 63-byte signature", "throws", verify(sig.subarray(1), message, pk)],
  ["verify: a 65-byte signature", "throws", verify(new Uint8Array([...sig, 0]), message, pk)],
  ["verify: an empty signature", "throws", verify(new Uint8Array(), message, pk)],
  ["verify: a 31-byte public key", "throws", verify(sig, message, pk.subarray(1))],
  ["verify: a 33-byte public key", "throws", verify(sig, message, new Uint8Array(33))],
  ["verify: a null message", "throws", verify(sig, null, pk)],
  ["verify: an undefined public key", "throws", verify(sig, message, undefined)],
  ["verify: a DataView signature", "throws", verify(new DataView(sig.buffer), message, pk)],
  ["verify: a 64-character string signature", "returns", verify("s".repeat(64), message, pk)],
  ["encrypt: null additional data", "returns", encrypt(message, null, null, nonce, key)],
  ["encrypt: undefined additional data", "returns", encrypt(message, undefined, null, nonce, key)],
  ["encrypt: empty additional data", "returns", encrypt(message, new Uint8Array(), null, nonce, key)],
  ["encrypt: string message and additional data", "returns", encrypt("hi ☃", "header", null, nonce, key)],
  ["encrypt: an empty message", "returns", encrypt(new Uint8Array(), ad, null, nonce, key)],
  ["encrypt: a secret nonce (libsodium ignores it)", "returns", encrypt(message, ad, new Uint8Array(8), nonce, key)],
  ["encrypt: base64 output", "returns", encrypt(message, ad, null, nonce, key, "base64")],
  ["encrypt: a 31-byte key", "throws", encrypt(message, ad, null, nonce, key.subarray(1))],
  ["encrypt: a 33-byte key", "throws", encrypt(message, ad, null, nonce, new Uint8Array(33))],
  ["encrypt: a 12-byte (IETF) nonce", "throws", encrypt(message, ad, null, nonce.subarray(12), key)],
  ["encrypt: a 25-byte nonce", "throws", encrypt(message, ad, null, new Uint8Array(25), key)],
  ["encrypt: a null key", "throws", encrypt(message, ad, null, nonce, null)],
  ["encrypt: a null message", "throws", encrypt(null, ad, null, nonce, key)],
  ["encrypt: a number as additional data", "throws", encrypt(message, 5, null, nonce, key)],
  ["decrypt: the ciphertext", "returns", decrypt(null, ciphertext, ad, nonce, key)],
  ["decrypt: a secret nonce (ignored)", "returns", decrypt(new Uint8Array(8), ciphertext, ad, nonce, key)],
  ["decrypt: hex output", "returns", decrypt(null, ciphertext, ad, nonce, key, "hex")],
  ["decrypt: a flipped ciphertext bit", "throws", decrypt(null, flipBit(ciphertext, 3), ad, nonce, key)],
  ["decrypt: a flipped tag bit", "throws", decrypt(null, flipBit(ciphertext, 8 * 110), ad, nonce, key)],
  ["decrypt: other additional data", "throws", decrypt(null, ciphertext, flipBit(ad, 0), nonce, key)],
  ["decrypt: no additional data", "throws", decrypt(null, ciphertext, null, nonce, key)],
  ["decrypt: another key", "throws", decrypt(null, ciphertext, ad, nonce, randomBytes(32))],
  ["decrypt: another nonce", "throws", decrypt(null, ciphertext, ad, flipBit(nonce, 190), key)],
  ["decrypt: a truncated ciphertext", "throws", decrypt(null, ciphertext.subarray(0, 99), ad, nonce, key)],
  ["decrypt: 15 bytes (shorter than the tag)", "throws", decrypt(null, ciphertext.subarray(0, 15), ad, nonce, key)],
  ["decrypt: 16 zero bytes", "throws", decrypt(null, new Uint8Array(16), ad, nonce, key)],
  ["decrypt: a 31-byte key", "throws", decrypt(null, ciphertext, ad, nonce, key.subarray(1))],
  ["decrypt: a 23-byte nonce", "throws", decrypt(null, ciphertext, ad, nonce.subarray(1), key)],
  ["decrypt: a null ciphertext", "throws", decrypt(null, null, ad, nonce, key)],
  ["seal: 100 bytes", "returns", seal(message, box.publicKey)],
  ["seal: a 31-byte public key", "throws", seal(message, box.publicKey.subarray(1))],
  ["seal: a 33-byte public key", "throws", seal(message, new Uint8Array(33))],
  ["seal: the all-zero public key", "throws", seal(message, new Uint8Array(32))],
  ["seal: a low-order public key", "throws", seal(message, lowOrder)],
  ["seal: a null message", "throws", seal(null, box.publicKey)],
  ["open: the sealed box", "returns", open(sealed, box.publicKey, box.privateKey)],
  [
    "open: text output",
    "returns",
    open(wasm.crypto_box_seal("text", box.publicKey), box.publicKey, box.privateKey, "text"),
  ],
  ["open: another key pair", "throws", open(sealed, otherBox.publicKey, otherBox.privateKey)],
  ["open: a mismatched key pair", "throws", open(sealed, box.publicKey, otherBox.privateKey)],
  ["open: a flipped bit", "throws", open(flipBit(sealed, 500), box.publicKey, box.privateKey)],
  ["open: 47 bytes", "throws", open(sealed.subarray(0, 47), box.publicKey, box.privateKey)],
  ["open: 48 zero bytes", "throws", open(new Uint8Array(48), box.publicKey, box.privateKey)],
  ["open: a 31-byte public key", "throws", open(sealed, box.publicKey.subarray(1), box.privateKey)],
  ["open: a 33-byte secret key", "throws", open(sealed, box.publicKey, new Uint8Array(33))],
  ["open: a null box", "throws", open(null, box.publicKey, box.privateKey)],
];

describe("the native libsodium backend", () => {
  it("has the wasm object's shape: the same names, six functions replaced, every other the wasm's own", () => {
    const n = native as unknown as Record<string, unknown>;
    const w = wasm as unknown as Record<string, unknown>;
    expect(Object.keys(n).sort()).toEqual(Object.keys(w).sort());
    for (const name of Object.keys(w)) {
      if (OVERRIDDEN.includes(name)) expect(n[name], name).not.toBe(w[name]);
      else expect(n[name], name).toBe(w[name]);
    }
  });

  it("runs well-formed calls natively: with the wasm versions removed they still work, malformed ones do not", async () => {
    const rest = Object.fromEntries(Object.entries(wasm).filter(([name]) => !OVERRIDDEN.includes(name)));
    const only = await loadNativeSodium(rest as unknown as Sodium);
    if (!only) throw new Error("sodium-native did not load");
    const same = (call: (s: Sodium) => unknown) => expect(outcome(() => call(only))).toBe(outcome(() => call(wasm)));
    same((s) => s.crypto_sign_detached(message, signer.privateKey));
    same((s) => s.crypto_sign_verify_detached(sig, message, signer.publicKey));
    same((s) => s.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ad, null, nonce, key));
    same((s) => s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key));
    same((s) => s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, flipBit(ciphertext, 1), ad, nonce, key));
    same((s) => s.crypto_box_seal_open(only.crypto_box_seal(message, box.publicKey), box.publicKey, box.privateKey));
    same((s) => s.crypto_box_seal_open(sealed, otherBox.publicKey, otherBox.privateKey));
    same((s) => s.crypto_box_seal(message, lowOrder));
    expect(() => only.crypto_sign_detached(message, signer.privateKey.subarray(1))).toThrow(/is not a function/);
    expect(() => only.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key, "hex")).toThrow(
      /is not a function/,
    );
  });

  it.each(cases)("%s: the same result or error on both backends", (_name, expected, call) => {
    const fromWasm = outcome(() => call(wasm));
    expect(fromWasm.startsWith("throws") ? "throws" : "returns").toBe(expected);
    expect(outcome(() => call(native))).toBe(fromWasm);
  });

  it("returns plain Uint8Arrays over memory of their own, never a shared Buffer pool", () => {
    const results = [
      native.crypto_sign_detached(message, signer.privateKey),
      native.crypto_aead_xchacha20poly1305_ietf_encrypt(message, ad, null, nonce, key),
      native.crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key),
      native.crypto_box_seal(message, box.publicKey),
      native.crypto_box_seal_open(sealed, box.publicKey, box.privateKey),
      native.crypto_box_seal_open(sealed, box.publicKey, box.privateKey),
    ];
    for (const r of results) {
      expect(Object.getPrototypeOf(r)).toBe(Uint8Array.prototype);
      expect(r.byteOffset).toBe(0);
      expect(r.buffer.byteLength).toBe(r.length);
    }
    expect(new Set(results.map((r) => r.buffer)).size).toBe(results.length);
  });

  it("reads inputs that are views into larger buffers (and Buffers) at their offsets", () => {
    const big = randomBytes(4096);
    const view = (bytes: Uint8Array, offset: number) => {
      const host = big.slice(0, offset + bytes.length + 7);
      host.set(bytes, offset);
      return host.subarray(offset, offset + bytes.length);
    };
    const viewed = {
      message: view(message, 3),
      sk: view(signer.privateKey, 5),
      pk: view(signer.publicKey, 9),
      key: view(key, 11),
      nonce: view(nonce, 13),
      ad: Buffer.from(ad),
      ciphertext: view(ciphertext, 17),
      sealed: view(sealed, 19),
      boxPk: view(box.publicKey, 21),
      boxSk: Buffer.from(box.privateKey),
    };
    const calls: ((s: Sodium) => unknown)[] = [
      (s) => s.crypto_sign_detached(viewed.message, viewed.sk),
      (s) => s.crypto_sign_verify_detached(view(sig, 1), viewed.message, viewed.pk),
      (s) => s.crypto_aead_xchacha20poly1305_ietf_encrypt(viewed.message, viewed.ad, null, viewed.nonce, viewed.key),
      (s) => s.crypto_aead_xchacha20poly1305_ietf_decrypt(null, viewed.ciphertext, viewed.ad, viewed.nonce, viewed.key),
      (s) => s.crypto_box_seal_open(viewed.sealed, viewed.boxPk, viewed.boxSk),
    ];
    for (const call of calls) {
      const fromNative = outcome(() => call(native));
      expect(fromNative).toBe(outcome(() => call(wasm)));
      expect(fromNative).not.toMatch(/^throws|false/);
    }
  });
});

describe("byte-identical results on both backends, for any input", () => {
  const bytes = (max: number) => fc.uint8Array({ maxLength: max });
  const exactly = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

  it("Ed25519: the same signature, verified by the other backend; a flipped bit fails on both", () => {
    fc.assert(
      fc.property(exactly(32), bytes(2048), fc.nat(), (seed, m, bit) => {
        const { publicKey, privateKey } = wasm.crypto_sign_seed_keypair(seed);
        const fromNative = native.crypto_sign_detached(m, privateKey);
        expect(toHex(fromNative)).toBe(toHex(wasm.crypto_sign_detached(m, privateKey)));
        expect(wasm.crypto_sign_verify_detached(fromNative, m, publicKey)).toBe(true);
        expect(native.crypto_sign_verify_detached(fromNative, m, publicKey)).toBe(true);
        const forged = flipBit(fromNative, bit);
        expect(native.crypto_sign_verify_detached(forged, m, publicKey)).toBe(false);
        expect(wasm.crypto_sign_verify_detached(forged, m, publicKey)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it("XChaCha20-Poly1305: the same ciphertext, opened by the other backend; a flipped bit fails alike", () => {
    fc.assert(
      fc.property(exactly(32), exactly(24), bytes(2048), fc.option(bytes(64)), fc.nat(), (k, n, m, a, bit) => {
        const fromNative = native.crypto_aead_xchacha20poly1305_ietf_encrypt(m, a, null, n, k);
        expect(toHex(fromNative)).toBe(toHex(wasm.crypto_aead_xchacha20poly1305_ietf_encrypt(m, a, null, n, k)));
        expect(toHex(wasm.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromNative, a, n, k))).toBe(toHex(m));
        expect(toHex(native.crypto_aead_xchacha20poly1305_ietf_decrypt(null, fromNative, a, n, k))).toBe(toHex(m));
        const tampered = flipBit(fromNative, bit);
        const refusal = outcome(() => wasm.crypto_aead_xchacha20poly1305_ietf_decrypt(null, tampered, a, n, k));
        expect(refusal).toMatch(/^throws Error/);
        expect(outcome(() => native.crypto_aead_xchacha20poly1305_ietf_decrypt(null, tampered, a, n, k))).toBe(refusal);
      }),
      { numRuns: 300 },
    );
  });

  it("sealed boxes: each backend opens the other's; a flipped bit fails alike", () => {
    fc.assert(
      fc.property(bytes(1024), fc.nat(), (m, bit) => {
        for (const [from, to] of [
          [native, wasm],
          [wasm, native],
        ] as const) {
          const boxed = from.crypto_box_seal(m, box.publicKey);
          expect(boxed.length).toBe(m.length + 48);
          expect(toHex(to.crypto_box_seal_open(boxed, box.publicKey, box.privateKey))).toBe(toHex(m));
          const tampered = flipBit(boxed, bit);
          const refusal = outcome(() => from.crypto_box_seal_open(tampered, box.publicKey, box.privateKey));
          expect(refusal).toMatch(/^throws Error/);
          expect(outcome(() => to.crypto_box_seal_open(tampered, box.publicKey, box.privateKey))).toBe(refusal);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("envelopes across backends", () => {
  const header: EnvelopeHeader = {
    v: 1,
    convId: "c_k3Jq9XwYb2TmPz8LrV4nQa",
    epoch: 7,
    msgId: "m_Zq2Vn8Xk4Lp7Tr1Ws5Yb3Q",
    senderDevice: alice.deviceId,
    ts: 1_767_225_600_123,
  };
  const body = { type: "text" as const, text: "Is the blue jacket still available in size M? 👋" };
  const epochKey = createEpochKey();
  const directions: [SodiumBackend, SodiumBackend][] = [
    ["native", "wasm"],
    ["wasm", "native"],
  ];

  it.each(directions)("a message sealed on %s opens on %s, and a flipped bit is refused alike", async (from, to) => {
    const envelope = await withSodiumBackend(from, () =>
      sealMessage({ header, body, epochKey, signer: alice.sign.secretKey }),
    );
    const open = (backend: SodiumBackend, ct: string) =>
      withSodiumBackend(backend, () =>
        openMessage({ envelope: { ...envelope, ct }, epochKey, senderSigPk: alice.sign.publicKey }).then(
          (opened) => JSON.stringify(opened),
          (error: unknown) => (error instanceof DecryptError ? error.reason : String(error)),
        ),
      );
    expect(await open(to, envelope.ct)).toBe(JSON.stringify(body));
    const flips = flipEveryBit(envelope.ct).filter((_, i) => i % 97 === 0);
    expect(flips.length).toBeGreaterThan(20);
    for (const ct of flips) {
      const reason = await open(from, ct);
      expect(reason).toBe("bad_signature");
      expect(await open(to, ct)).toBe(reason);
    }
  });

  it.each(directions)("an epoch key sealed on %s opens on %s", async (from, to) => {
    const recipient = await createDeviceIdentity();
    const sealedKey = await withSodiumBackend(from, () => sealEpochKey(epochKey, recipient.box.publicKey));
    expect(toBase64Url(await withSodiumBackend(to, () => openEpochKey(sealedKey, recipient.box)))).toBe(
      toBase64Url(epochKey),
    );
  });
});
