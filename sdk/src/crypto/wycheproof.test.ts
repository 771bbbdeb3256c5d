/**
 * Project Wycheproof known-answer vectors (sdk/test/vectors/wycheproof, see its
 * README) run through both libsodium backends the SDK ships, the wasm build and
 * native libsodium (Node): every vector, no sampling. Expected on each: 0
 * invalid accepted, 0 valid rejected, so the two accept and refuse alike.
 */
import { describe, expect, it } from "vitest";
import ed25519 from "../../test/vectors/wycheproof/ed25519_test.json" with { type: "json" };
import x25519 from "../../test/vectors/wycheproof/x25519_test.json" with { type: "json" };
import xchacha from "../../test/vectors/wycheproof/xchacha20_poly1305_test.json" with { type: "json" };
import { asAttack } from "../attack-row.test-support.js";
import { loadSodiumBackend, type SodiumBackend } from "./sodium.js";

interface VectorFile<G> {
  algorithm: string;
  numberOfTests: number;
  testGroups: G[];
}
type Result = "valid" | "invalid" | "acceptable";
interface AeadTest {
  tcId: number;
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
  result: Result;
}
interface EddsaGroup {
  publicKey: { pk: string };
  tests: { tcId: number; msg: string; sig: string; result: Result }[];
}
interface XdhTest {
  tcId: number;
  public: string;
  private: string;
  shared: string;
  result: Result;
  flags: string[];
}

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

function tally() {
  const counts: Record<string, number> = {};
  return {
    counts,
    add(key: string) {
      counts[key] = (counts[key] ?? 0) + 1;
    },
  };
}

const BACKENDS: SodiumBackend[] = ["wasm", "native"];

describe.each(BACKENDS)("Wycheproof vectors through libsodium (%s)", (backend) => {
  it("XChaCha20-Poly1305-IETF: every valid vector decrypts and re-encrypts exactly, every invalid one is refused", async (ctx) => {
    const row = asAttack(ctx, {
      area: "crypto",
      attack: `Wycheproof XChaCha20-Poly1305 vectors (${backend})`,
      expected: "0 invalid accepted, 0 valid rejected",
    });
    const sodium = await loadSodiumBackend(backend);
    const file = xchacha as VectorFile<{ ivSize: number; tests: AeadTest[] }>;
    const t = tally();
    const wrong: number[] = [];
    let checked = 0;
    for (const group of file.testGroups) {
      for (const test of group.tests) {
        checked++;
        const key = hex(test.key);
        const iv = hex(test.iv);
        const aad = hex(test.aad);
        let opened: Uint8Array | undefined;
        try {
          opened = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, hex(test.ct + test.tag), aad, iv, key);
        } catch {
          opened = undefined;
        }
        if (test.result === "valid") {
          const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(hex(test.msg), aad, null, iv, key);
          const ok = opened !== undefined && toHex(opened) === test.msg && toHex(sealed) === test.ct + test.tag;
          t.add(ok ? "valid accepted" : "valid rejected");
          if (!ok) wrong.push(test.tcId);
        } else {
          t.add(opened === undefined ? `${test.result} rejected` : `${test.result} accepted`);
          if (opened !== undefined) wrong.push(test.tcId);
        }
      }
    }
    console.log(`wycheproof ${file.algorithm} (${backend}): ${checked} vectors`, t.counts);
    expect(checked).toBe(file.numberOfTests);
    expect(wrong).toEqual([]);
    expect(t.counts["invalid accepted"] ?? 0).toBe(0);
    expect(t.counts["valid rejected"] ?? 0).toBe(0);
    row.observed(`${checked} vectors, ${wrong.length} wrong`);
  });

  it("Ed25519: crypto_sign_verify_detached accepts every valid signature and refuses every invalid one", async (ctx) => {
    const row = asAttack(ctx, {
      area: "crypto",
      attack: `Wycheproof Ed25519 vectors (${backend})`,
      expected: "0 invalid accepted, 0 valid rejected",
    });
    const sodium = await loadSodiumBackend(backend);
    const file = ed25519 as VectorFile<EddsaGroup>;
    const t = tally();
    const wrong: number[] = [];
    let checked = 0;
    for (const group of file.testGroups) {
      const pk = hex(group.publicKey.pk);
      for (const test of group.tests) {
        checked++;
        let verified: boolean;
        try {
          verified = sodium.crypto_sign_verify_detached(hex(test.sig), hex(test.msg), pk);
        } catch {
          verified = false; // wrong signature length: refused before verification
        }
        t.add(`${test.result} ${verified ? "accepted" : "rejected"}`);
        if (verified !== (test.result === "valid")) wrong.push(test.tcId);
      }
    }
    console.log(`wycheproof ${file.algorithm} (${backend}): ${checked} vectors`, t.counts);
    expect(checked).toBe(file.numberOfTests);
    expect(wrong).toEqual([]);
    expect(t.counts["valid accepted"]).toBeGreaterThan(0);
    expect(t.counts["invalid rejected"]).toBeGreaterThan(0);
    row.observed(`${checked} vectors, ${wrong.length} wrong`);
  });

  // crypto_scalarmult has no native override (not per message): both backends run the wasm function here.
  it("X25519: crypto_scalarmult matches every vector, and refuses exactly the all-zero shared secrets", async (ctx) => {
    const row = asAttack(ctx, {
      area: "crypto",
      attack: `Wycheproof X25519 vectors (${backend})`,
      expected: "every vector matches; only all-zero shared secrets refused",
    });
    const sodium = await loadSodiumBackend(backend);
    const file = x25519 as VectorFile<{ tests: XdhTest[] }>;
    const t = tally();
    const wrong: number[] = [];
    let checked = 0;
    for (const group of file.testGroups) {
      for (const test of group.tests) {
        checked++;
        let shared: string | undefined;
        try {
          shared = toHex(sodium.crypto_scalarmult(hex(test.private), hex(test.public)));
        } catch {
          shared = undefined;
        }
        const zeroExpected = /^(00)+$/.test(test.shared);
        if (shared !== undefined) {
          t.add(`${test.result} computed`);
          if (shared !== test.shared) wrong.push(test.tcId);
        } else {
          // libsodium refuses low-order points by throwing on an all-zero result: only "acceptable" may go that way.
          t.add(`${test.result} refused (all-zero shared secret)`);
          if (test.result !== "acceptable" || !zeroExpected) wrong.push(test.tcId);
        }
        if (test.result === "invalid" && shared !== undefined) wrong.push(test.tcId);
      }
    }
    console.log(`wycheproof ${file.algorithm} (${backend}): ${checked} vectors`, t.counts);
    expect(checked).toBe(file.numberOfTests);
    expect(wrong).toEqual([]);
    expect(t.counts["valid computed"]).toBeGreaterThan(0);
    expect(t.counts["acceptable refused (all-zero shared secret)"]).toBeGreaterThan(0);
    row.observed(`${checked} vectors, ${wrong.length} wrong`);
  });
});
