import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asAttack } from "../attack-row.test-support.js";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { Envelope, EnvelopeHeader } from "../protocol/index.js";
import type { MessageBody } from "../protocol/message-body.js";
import { encodeHeaderAad, messageSignatureInput } from "./canonical.js";
import { createDeviceIdentity } from "./device-keys.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import {
  DecryptError,
  E2E_ALG,
  MAX_BODY_BYTES,
  MAX_CIPHERTEXT_BYTES,
  MIN_PADDED_BYTES,
  openMessage,
  paddedLength,
  padPlaintext,
  SealError,
  sealMessage,
  TEAM_VOUCH_RESERVE_BYTES,
  unpadPlaintext,
} from "./message-crypto.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";

const alice = await createDeviceIdentity();
const mallory = await createDeviceIdentity();
const epochKey = randomBytes(32);
const header: EnvelopeHeader = {
  v: 1,
  convId: "c_k3Jq9XwYb2TmPz8LrV4nQa",
  epoch: 7,
  msgId: "m_Zq2Vn8Xk4Lp7Tr1Ws5Yb3Q",
  senderDevice: alice.deviceId,
  ts: 1_767_225_600_123,
};
const encoder = new TextEncoder();
const canary = () => `canary-${toBase64Url(randomBytes(12))}`;

const seal = (body: MessageBody, h: EnvelopeHeader = header) =>
  sealMessage({ header: h, body, epochKey, signer: alice.sign.secretKey });
const open = (envelope: Envelope, key = epochKey, senderSigPk = alice.sign.publicKey) =>
  openMessage({ envelope, epochKey: key, senderSigPk });

/** Opens and expects a DecryptError that carries no trace of the secret text. */
async function expectRejected(envelope: Envelope, secret: string, key = epochKey, pk = alice.sign.publicKey) {
  let result: unknown;
  try {
    result = await open(envelope, key, pk);
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptError);
    const err = error as DecryptError;
    expect(`${err.message} ${String(err.cause ?? "")}`).not.toContain(secret);
    return err.reason;
  }
  throw new Error(`opened a tampered envelope: ${JSON.stringify(result)}`);
}

/** A JSON body whose UTF-8 encoding is exactly `bytes` long. */
function textBodyOfJsonLength(bytes: number): MessageBody {
  const overhead = encoder.encode(JSON.stringify({ type: "text", text: "" })).length;
  return { type: "text", text: "x".repeat(bytes - overhead) };
}

describe("sealMessage / openMessage round trips", () => {
  it("round-trips text, a card, a system line and unicode, and returns exactly the header it was given", async () => {
    const bodies: MessageBody[] = [
      { type: "text", text: "Hello! Is the blue jacket in stock?" },
      { type: "text", text: "" },
      { type: "card", card: { kind: "order", orderId: "A-17", total: 42.5, items: [{ sku: "J-1", qty: 2 }] } },
      { type: "system", text: "Alex joined" },
      { type: "text", text: "Grüße 👋🏽 — مرحبا — 你好 — 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — e\u0301 — \u0000\u2028" },
    ];
    for (const body of bodies) {
      const envelope = await seal(body, { ...header, extra: "dropped" } as EnvelopeHeader);
      expect(envelope).toEqual({ ...header, alg: E2E_ALG, nonce: envelope.nonce, ct: envelope.ct, sig: envelope.sig });
      expect(fromBase64Url(envelope.nonce)).toHaveLength(24);
      expect(fromBase64Url(envelope.sig)).toHaveLength(64);
      expect(envelope.ct).not.toContain(toBase64Url(encoder.encode(JSON.stringify(body))).slice(0, 16));
      expect(await open(envelope)).toEqual(body);
    }
  });

  it("round-trips the largest allowed body, whose ciphertext fits the wire limit, and refuses one byte more", async () => {
    expect(MAX_BODY_BYTES).toBe(47_100 - TEAM_VOUCH_RESERVE_BYTES);
    const largest = textBodyOfJsonLength(MAX_BODY_BYTES);
    const envelope = await seal(largest);
    const ct = fromBase64Url(envelope.ct);
    expect(ct.length).toBeLessThanOrEqual(MAX_CIPHERTEXT_BYTES);
    expect(envelope.ct.length).toBeLessThanOrEqual(65_536);
    expect(await open(envelope)).toEqual(largest);
    const room = MAX_BODY_BYTES - encoder.encode(JSON.stringify({ type: "text", text: "" })).length;
    const unicodeLargest: MessageBody = { type: "text", text: "€".repeat(Math.floor(room / 3)) + "x".repeat(room % 3) };
    expect(encoder.encode(JSON.stringify(unicodeLargest)).length).toBe(MAX_BODY_BYTES);
    expect(await open(await seal(unicodeLargest))).toEqual(unicodeLargest);
    await expect(seal(textBodyOfJsonLength(MAX_BODY_BYTES + 1))).rejects.toMatchObject({ reason: "too_large" });
  });

  it("uses a fresh nonce for every seal of the same message", async () => {
    const body: MessageBody = { type: "text", text: "same" };
    const nonces = new Set<string>();
    const cts = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const envelope = await seal(body);
      nonces.add(envelope.nonce);
      cts.add(envelope.ct);
    }
    expect(nonces.size).toBe(50);
    expect(cts.size).toBe(50);
  });

  it("refuses to seal malformed headers, keys and bodies", async () => {
    const body: MessageBody = { type: "text", text: "x" };
    const signer = alice.sign.secretKey;
    const badHeaders = [
      { ...header, v: 2 },
      { ...header, convId: "" },
      { ...header, msgId: "a\uD800b" },
      { ...header, epoch: -1 },
      { ...header, epoch: 1.5 },
      { ...header, ts: 2 ** 53 },
      { ...header, senderDevice: "x".repeat(257) },
    ] as EnvelopeHeader[];
    for (const h of badHeaders) {
      await expect(sealMessage({ header: h, body, epochKey, signer })).rejects.toMatchObject({ reason: "bad_header" });
    }
    await expect(sealMessage({ header, body, epochKey: randomBytes(31), signer })).rejects.toMatchObject({
      reason: "bad_key",
    });
    await expect(sealMessage({ header, body, epochKey, signer: signer.subarray(0, 32) })).rejects.toBeInstanceOf(
      SealError,
    );
    const notBodies = [
      { type: "html", text: "<b>" },
      { type: "card", card: {} },
      { type: "text", text: 5 },
    ];
    for (const b of notBodies) {
      await expect(sealMessage({ header, body: b as MessageBody, epochKey, signer })).rejects.toMatchObject({
        reason: "bad_body",
      });
    }
  });
});

describe("padding", () => {
  it("rounds up to 256 bytes at least, then to Padmé buckets with at most 12% overhead", () => {
    const table: [number, number][] = [
      [0, 256],
      [1, 256],
      [256, 256],
      [257, 272],
      [272, 272],
      [273, 288],
      [511, 512],
      [512, 512],
      [513, 544],
      [1000, 1024],
      [1025, 1088],
      [4097, 4352],
      [32_769, 34_816],
      [47_104, 47_104],
      [47_105, 49_152],
    ];
    for (const [framed, padded] of table) expect(paddedLength(framed), `${framed}`).toBe(padded);
    const violations: number[] = [];
    let previous = 0;
    let worst = 0;
    for (let n = 0; n <= 70_000; n++) {
      const p = paddedLength(n);
      if (p < n || p < previous || paddedLength(p) !== p || p < MIN_PADDED_BYTES) violations.push(n);
      if (n > MIN_PADDED_BYTES) worst = Math.max(worst, p / n);
      previous = p;
    }
    expect(violations).toEqual([]);
    expect(worst).toBeLessThanOrEqual(1.12);
  });

  it("gives ciphertexts of a bucket's size at each bucket boundary, and one size to all short messages", async () => {
    // Framed length = JSON length + 4: 252 fills the first bucket exactly, 253 spills into the next.
    const cases: [number, number][] = [
      [30, 256],
      [251, 256],
      [252, 256],
      [253, 272],
      [268, 272],
      [269, 288],
      [508, 512],
      [509, 544],
    ];
    for (const [jsonBytes, padded] of cases) {
      const body = textBodyOfJsonLength(jsonBytes);
      const envelope = await seal(body);
      expect(fromBase64Url(envelope.ct).length, `${jsonBytes}`).toBe(padded + 16);
      expect(await open(envelope)).toEqual(body);
    }
    const short = await Promise.all(
      ["", "ok", "Thanks, see you tomorrow at 10!"].map((t) => seal({ type: "text", text: t })),
    );
    expect(new Set(short.map((e) => e.ct.length)).size).toBe(1);
  });

  it("removes padding only from the one canonical padded form", () => {
    for (const length of [0, 1, 252, 253, 300, 5000]) {
      const plaintext = randomBytes(length).map((b) => b | 1); // no zero bytes: a shift always shows
      const padded = padPlaintext(plaintext);
      expect(padded.length).toBe(paddedLength(length + 4));
      expect(unpadPlaintext(padded)).toEqual(plaintext);
      if (padded.length > length + 4) {
        const dirty = padded.slice();
        dirty[dirty.length - 1] = 1;
        expect(() => unpadPlaintext(dirty)).toThrow("non-zero padding");
      }
      const longer = new Uint8Array(padded.length + 16);
      longer.set(padded);
      expect(() => unpadPlaintext(longer)).toThrow();
      const lying = padded.slice();
      if (length > 0) {
        // A shorter claimed length leaves data bytes in the padding, or names another bucket.
        new DataView(lying.buffer).setUint32(0, length - 1);
        expect(() => unpadPlaintext(lying)).toThrow();
        new DataView(lying.buffer).setUint32(0, 0);
        expect(() => unpadPlaintext(lying)).toThrow();
      }
      new DataView(lying.buffer).setUint32(0, padded.length - 3);
      expect(() => unpadPlaintext(lying)).toThrow();
      new DataView(lying.buffer).setUint32(0, 0xffff_ffff);
      expect(() => unpadPlaintext(lying)).toThrow("length prefix out of range");
    }
    expect(() => unpadPlaintext(new Uint8Array(255))).toThrow("too short");
  });
});

/** Every bit flip of a header field's canonical encoding, turned back into a field value. */
function headerFieldMutations(h: EnvelopeHeader): { field: keyof EnvelopeHeader; value: unknown }[] {
  const out: { field: keyof EnvelopeHeader; value: unknown }[] = [];
  const lenient = new TextDecoder();
  for (const field of ["convId", "msgId", "senderDevice"] as const) {
    const bytes = encoder.encode(h[field]);
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const flipped = bytes.slice();
        flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
        out.push({ field, value: lenient.decode(flipped) });
      }
    }
  }
  for (const [field, width] of [
    ["epoch", 64],
    ["ts", 64],
    ["v", 32],
  ] as const) {
    for (let bit = 0; bit < width; bit++) {
      // Flip bit `bit` of the big-endian integer (values past 2^53 stay numbers and must be refused too).
      const value = h[field] + (Math.floor(h[field] / 2 ** bit) % 2 === 1 ? -1 : 1) * 2 ** bit;
      out.push({ field, value });
    }
  }
  return out;
}

describe("tampering", () => {
  it("rejects every single-bit flip of every header field, the nonce, the ciphertext and the signature", async (ctx) => {
    const row = asAttack(ctx, {
      area: "crypto",
      attack: "every single-bit flip of a sealed message's header, nonce, ciphertext and signature",
      expected: "all rejected, no partial plaintext",
    });
    const samples: MessageBody[] = [
      { type: "text", text: `short ${canary()}` },
      { type: "card", card: { kind: "order", note: canary(), total: 19.99 } },
      { type: "text", text: `${canary()} ${"Grüße 👋 ".repeat(60)}` },
    ];
    const counts = { header: 0, nonce: 0, ct: 0, sig: 0 };
    const reasons: Record<string, number> = {};
    for (const body of samples) {
      const secret = JSON.stringify(body).match(/canary-[\w-]+/)?.[0] ?? "";
      const envelope = await seal(body);
      expect(await open(envelope)).toEqual(body);
      const tries: [keyof typeof counts, Envelope][] = [
        ...headerFieldMutations(envelope).map(
          ({ field, value }) => ["header", { ...envelope, [field]: value }] as [keyof typeof counts, Envelope],
        ),
        ...flipEveryBit(envelope.nonce).map(
          (nonce) => ["nonce", { ...envelope, nonce }] as [keyof typeof counts, Envelope],
        ),
        ...flipEveryBit(envelope.ct).map((ct) => ["ct", { ...envelope, ct }] as [keyof typeof counts, Envelope]),
        ...flipEveryBit(envelope.sig).map((sig) => ["sig", { ...envelope, sig }] as [keyof typeof counts, Envelope]),
      ];
      for (const [part, tampered] of tries) {
        const reason = await expectRejected(tampered, secret);
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        counts[part]++;
      }
    }
    const total = counts.header + counts.nonce + counts.ct + counts.sig;
    console.log(`byte flips: ${total} tried on ${samples.length} messages, 0 accepted`, counts, reasons);
    expect(counts.sig).toBe(samples.length * 64 * 8);
    expect(counts.nonce).toBe(samples.length * 24 * 8);
    expect(total).toBeGreaterThan(10_000);
    row.observed(`${total} flips on ${samples.length} messages, 0 accepted, 0 canaries in errors`);
  });

  it("rejects a wrong epoch key, a wrong sender key, and a replay into another conversation or epoch", async () => {
    const secret = canary();
    const envelope = await seal({ type: "text", text: secret });
    expect(await expectRejected(envelope, secret, randomBytes(32))).toBe("bad_ciphertext");
    expect(await expectRejected(envelope, secret, epochKey, mallory.sign.publicKey)).toBe("bad_signature");
    expect(await expectRejected({ ...envelope, convId: "c_other0000000000000000" }, secret)).toBe("bad_signature");
    expect(await expectRejected({ ...envelope, epoch: envelope.epoch + 1 }, secret)).toBe("bad_signature");
    expect(await expectRejected({ ...envelope, senderDevice: mallory.deviceId }, secret)).toBe("bad_signature");
  });

  it("rejects another member's signature on the sender's ciphertext (all members hold the epoch key)", async () => {
    const sodium = await loadSodium();
    const secret = canary();
    const envelope = await seal({ type: "text", text: secret });
    // Mallory holds the epoch key too, but Alice's pinned key does not verify his signature.
    const aad = encodeHeaderAad(envelope, E2E_ALG);
    const input = messageSignatureInput(aad, fromBase64Url(envelope.nonce), fromBase64Url(envelope.ct));
    const forged = { ...envelope, sig: toBase64Url(sodium.crypto_sign_detached(input, mallory.sign.secretKey)) };
    expect(await expectRejected(forged, secret)).toBe("bad_signature");
    expect(await open(forged, epochKey, mallory.sign.publicKey)).toEqual({ type: "text", text: secret });
  });

  it("binds the header in the AEAD on its own: a header change re-signed by the true sender still fails to decrypt", async () => {
    const sodium = await loadSodium();
    const secret = canary();
    const envelope = await seal({ type: "text", text: secret });
    for (const change of [
      { convId: "c_other0000000000000000" },
      { epoch: 8 },
      { msgId: "m_0000000000000000000000" },
      { ts: 1 },
    ]) {
      const moved = { ...envelope, ...change };
      const input = messageSignatureInput(
        encodeHeaderAad(moved, E2E_ALG),
        fromBase64Url(envelope.nonce),
        fromBase64Url(envelope.ct),
      );
      const resigned = { ...moved, sig: toBase64Url(sodium.crypto_sign_detached(input, alice.sign.secretKey)) };
      expect(await expectRejected(resigned, secret)).toBe("bad_ciphertext");
    }
  });

  it("rejects a relabelled algorithm, non-canonical base64url and wrong lengths before libsodium runs", async () => {
    const sodium = await loadSodium();
    const secret = canary();
    const envelope = await seal({ type: "text", text: secret });
    const ct = fromBase64Url(envelope.ct);
    const cases: [Envelope, string][] = [
      [{ ...envelope, alg: "none" }, "bad_header"],
      [{ ...envelope, v: 2 as 1 }, "bad_header"],
      [{ ...envelope, convId: 5 as unknown as string }, "bad_header"],
      [{ ...envelope, nonce: envelope.nonce.slice(0, -1) }, "bad_ciphertext"],
      [{ ...envelope, nonce: `${envelope.nonce}AA` }, "bad_ciphertext"],
      [{ ...envelope, nonce: toBase64Url(randomBytes(12)) }, "bad_ciphertext"],
      [{ ...envelope, sig: envelope.sig.slice(0, -2) }, "bad_signature"],
      [{ ...envelope, sig: `${envelope.sig}=` }, "bad_signature"],
      [{ ...envelope, ct: toBase64Url(ct.subarray(0, ct.length - 1)) }, "bad_ciphertext"],
      [{ ...envelope, ct: toBase64Url(ct.subarray(0, 16)) }, "bad_ciphertext"],
      [{ ...envelope, ct: "" }, "bad_ciphertext"],
      [{ ...envelope, ct: ` ${envelope.ct}` }, "bad_ciphertext"],
      [{ ...envelope, ct: envelope.ct.replace(/-/g, "+").replace(/_/g, "/") }, "bad_ciphertext"],
      [{ ...envelope, ct: "A".repeat(70_000) }, "bad_ciphertext"],
    ];
    // A signature's last base64url character carries 4 unused bits; changing them must not pass as the same sig.
    const lastSigChar = envelope.sig.at(-1) ?? "A";
    const sameBits = "AQgw".includes(lastSigChar) ? String.fromCharCode(lastSigChar.charCodeAt(0) + 1) : "A";
    cases.push([{ ...envelope, sig: envelope.sig.slice(0, -1) + sameBits }, "bad_signature"]);
    const calls = { verify: 0, decrypt: 0 };
    const verify = sodium.crypto_sign_verify_detached;
    const decrypt = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt;
    const spied = sodium as { -readonly [K in keyof typeof sodium]: (typeof sodium)[K] };
    spied.crypto_sign_verify_detached = ((...args: Parameters<typeof verify>) => {
      calls.verify++;
      return verify(...args);
    }) as typeof verify;
    spied.crypto_aead_xchacha20poly1305_ietf_decrypt = ((...args: Parameters<typeof decrypt>) => {
      calls.decrypt++;
      return decrypt(...args);
    }) as typeof decrypt;
    try {
      for (const [tampered, reason] of cases) {
        expect(await expectRejected(tampered, secret), JSON.stringify(tampered).slice(0, 120)).toBe(reason);
      }
      expect(calls).toEqual({ verify: 0, decrypt: 0 });
      expect(await open(envelope)).toEqual({ type: "text", text: secret });
      expect(calls).toEqual({ verify: 1, decrypt: 1 });
    } finally {
      spied.crypto_sign_verify_detached = verify;
      spied.crypto_aead_xchacha20poly1305_ietf_decrypt = decrypt;
    }
    await expect(open(envelope, randomBytes(16))).rejects.toMatchObject({ reason: "unknown_epoch" });
    await expect(open(envelope, epochKey, randomBytes(31))).rejects.toMatchObject({ reason: "unknown_device" });
  });

  it("rejects correctly signed and encrypted plaintexts with bad padding, bad UTF-8, bad JSON or a bad schema, quoting none of it", async () => {
    const sodium = await loadSodium();
    const secret = canary();
    /** Builds an envelope the way sealMessage does, but around arbitrary padded bytes. */
    const craft = (padded: Uint8Array): Envelope => {
      const nonce = randomBytes(24);
      const aad = encodeHeaderAad(header, E2E_ALG);
      const ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad, null, nonce, epochKey);
      const sig = sodium.crypto_sign_detached(messageSignatureInput(aad, nonce, ct), alice.sign.secretKey);
      return { ...header, alg: E2E_ALG, nonce: toBase64Url(nonce), ct: toBase64Url(ct), sig: toBase64Url(sig) };
    };
    const ok = padPlaintext(encoder.encode(JSON.stringify({ type: "text", text: secret })));
    expect(await open(craft(ok))).toEqual({ type: "text", text: secret });
    const dirty = ok.slice();
    dirty[dirty.length - 1] = 0x80;
    expect(await expectRejected(craft(dirty), secret)).toBe("bad_padding");
    const lying = ok.slice();
    new DataView(lying.buffer).setUint32(0, 300);
    expect(await expectRejected(craft(lying), secret)).toBe("bad_padding");
    const unpadded = new Uint8Array(272);
    unpadded.set(encoder.encode(secret));
    expect(await expectRejected(craft(unpadded), secret)).toBe("bad_padding");
    const badBodies = [
      Uint8Array.of(...encoder.encode(`{"type":"text","text":"${secret}`), 0xff),
      encoder.encode(`{"type":"text","text":"${secret}"`),
      encoder.encode(`${secret} is not JSON`),
      encoder.encode(JSON.stringify({ type: "html", html: secret })),
      encoder.encode(JSON.stringify({ type: "text", body: secret })),
      encoder.encode(JSON.stringify([secret])),
    ];
    for (const bytes of badBodies) expect(await expectRejected(craft(padPlaintext(bytes)), secret)).toBe("bad_body");
  });
});

describe("properties (fast-check)", () => {
  const seed = Number(
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.FC_SEED ??
      Math.floor(Math.random() * 2 ** 31),
  );

  it("seal then open returns any string unchanged", async () => {
    const numRuns = 300;
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 2_000 }), fc.boolean(), async (text, system) => {
        const body: MessageBody = { type: system ? "system" : "text", text };
        expect(await open(await seal(body))).toEqual(body);
      }),
      { numRuns, seed },
    );
    console.log(`fast-check round trip: ${numRuns} runs, seed ${seed}`);
  });

  it("any change to the ciphertext (bit flips, truncation, extension) is rejected", async () => {
    const numRuns = 500;
    const secret = canary();
    const envelope = await seal({ type: "text", text: `${secret} ${"lorem ipsum ".repeat(30)}` });
    const ct = fromBase64Url(envelope.ct);
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant("xor" as const),
        at: fc.nat({ max: ct.length - 1 }),
        mask: fc.integer({ min: 1, max: 255 }),
      }),
      fc.record({ kind: fc.constant("truncate" as const), at: fc.nat({ max: ct.length - 1 }), mask: fc.constant(0) }),
      fc.record({ kind: fc.constant("extend" as const), at: fc.integer({ min: 1, max: 64 }), mask: fc.nat(255) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async ({ kind, at, mask }) => {
        let mutated: Uint8Array;
        if (kind === "xor") {
          mutated = ct.slice();
          mutated[at] = (mutated[at] ?? 0) ^ mask;
        } else if (kind === "truncate") {
          mutated = ct.slice(0, at);
        } else {
          mutated = new Uint8Array(ct.length + at).fill(mask);
          mutated.set(ct);
        }
        await expectRejected({ ...envelope, ct: toBase64Url(mutated) }, secret);
      }),
      { numRuns, seed },
    );
    console.log(`fast-check ciphertext mutation: ${numRuns} runs, seed ${seed}`);
  });
});
