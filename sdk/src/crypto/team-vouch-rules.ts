/**
 * The team vouch's signing and checking (ADR 0028; team-vouch.ts is the public
 * face). Loaded on demand: a customer's device needs it only once a vouched
 * message arrives. It takes libsodium, the canonical writer and base64url as
 * a {@link VouchKit} argument instead of importing them, because a module
 * loaded on demand that shares imports with the chat's first load makes the
 * bundler split that load into more chunks (ADR 0026): this one imports types only.
 */
import type { fromBase64Url, toBase64Url } from "../base64url.js";
import type { MessageBody } from "../protocol/message-body.js";
import type { CanonicalWriter } from "./canonical.js";
import type { TeamSigner } from "./message-crypto.js";
import type { Sodium } from "./sodium.js";

/** What the vouch code uses from the rest of the SDK (`vouchKit()` in message-crypto.ts makes it). */
export interface VouchKit {
  sodium: Sodium;
  writer: () => CanonicalWriter;
  label: string;
  fromBase64Url: typeof fromBase64Url;
  toBase64Url: typeof toBase64Url;
}

/** The vouch as it sits in the plaintext: the team key's version and the signature (base64url, 64 bytes). */
export interface TeamVouch {
  /** The team key version that signed. */
  v: number;
  /** The Ed25519 signature, base64url without padding. */
  sig: string;
}

/** Where a vouch belongs: the message it was made for. */
export interface VouchTarget {
  /** The conversation. */
  convId: string;
  /** The message id (the envelope's). */
  msgId: string;
  /** The body, as parsed (`parseMessageBody`). */
  body: MessageBody;
}

const SIG_TEXT = /^[A-Za-z0-9_-]{86}$/;

/** The bytes a vouch signs: label, conversation, message id, version, and the parsed body's JSON. */
export function vouchInput(kit: VouchKit, target: VouchTarget, version: number): Uint8Array {
  return kit
    .writer()
    .string(kit.label)
    .string(target.convId)
    .string(target.msgId)
    .u32(version)
    .bytes(new TextEncoder().encode(JSON.stringify(target.body)))
    .finish();
}

/** Signs `target` with the team key. */
export function signVouch(kit: VouchKit, target: VouchTarget, signer: TeamSigner): TeamVouch {
  const sig = kit.sodium.crypto_sign_detached(vouchInput(kit, target, signer.version), signer.signSk);
  return { v: signer.version, sig: kit.toBase64Url(sig) };
}

/** The vouch when `value` has its exact shape (a positive u32 version, a canonical 64-byte signature), else undefined. */
export function vouchShape(
  kit: Pick<VouchKit, "fromBase64Url" | "toBase64Url">,
  value: unknown,
): TeamVouch | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { v, sig, ...rest } = value as { v?: unknown; sig?: unknown };
  if (Object.keys(rest).length > 0 || typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0xffff_ffff) {
    return undefined;
  }
  if (typeof sig !== "string" || !SIG_TEXT.test(sig)) return undefined;
  const bytes = kit.fromBase64Url(sig);
  return bytes.length === 64 && kit.toBase64Url(bytes) === sig ? { v, sig } : undefined;
}

/**
 * Whether `vouch` is a valid signature over `target` by the team key its version names. `sigPk` gives
 * that version's verified public key (undefined when none verifies: the vouch does not hold).
 */
export async function verifyVouch(
  kit: VouchKit,
  target: VouchTarget,
  vouch: unknown,
  sigPk: (version: number) => Promise<Uint8Array | undefined>,
): Promise<boolean> {
  const shaped = vouchShape(kit, vouch);
  if (!shaped) return false;
  const pk = await sigPk(shaped.v);
  if (pk?.length !== 32) return false;
  try {
    const sig = kit.fromBase64Url(shaped.sig);
    return kit.sodium.crypto_sign_verify_detached(sig, vouchInput(kit, target, shaped.v), pk);
  } catch {
    return false;
  }
}
