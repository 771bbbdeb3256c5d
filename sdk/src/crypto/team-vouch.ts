/**
 * The team vouch (ADR 0028): a team device signs, with the shop's team key,
 * what it seals, so a reader can tell a message came from a device the team's
 * admin gave that key, whatever the gateway says about the sender.
 *
 * - Signed: a labelled canonical encoding of the conversation id, the message
 *   id, the team key's version and the body's bytes as `parseMessageBody`
 *   parses and `JSON.stringify` writes them (the reader computes the same bytes
 *   from the body it parsed). The message id binds it to one message: a vouched
 *   body copied into another message does not verify.
 * - Carried inside the encrypted plaintext, as a top-level `vouch` key next to
 *   the body's fields; the gateway never sees it and the envelope is unchanged.
 *   Readers strip it before the body is parsed, so bodies never carry it.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { MessageBody } from "../protocol/message-body.js";
import { CanonicalWriter, Labels } from "./canonical.js";
import { loadSodium } from "./sodium.js";

/**
 * Bytes the plaintext keeps free for a vouch (`,"vouch":{"v":N,"sig":"…86…"}` is at most 126):
 * `MAX_BODY_BYTES` is the same on every device, team or not.
 */
export const TEAM_VOUCH_RESERVE_BYTES = 128;

/** The vouch as it sits in the plaintext: the team key's version and the signature (base64url, 64 bytes). */
export interface TeamVouch {
  /** The team key version that signed. */
  v: number;
  /** The Ed25519 signature, base64url without padding. */
  sig: string;
}

/** A team key's version and its Ed25519 secret key (`TeamKeyHolder.signer()`). */
export interface TeamSigner {
  /** The team key version. */
  version: number;
  /** The 64-byte Ed25519 secret key. */
  signSk: Uint8Array;
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

const encoder = new TextEncoder();
const SIG_TEXT = /^[A-Za-z0-9_-]{86}$/;

/** The bytes a vouch signs. */
export function teamVouchInput(target: VouchTarget, version: number): Uint8Array {
  return new CanonicalWriter()
    .string(Labels.teamVouch)
    .string(target.convId)
    .string(target.msgId)
    .u32(version)
    .bytes(encoder.encode(JSON.stringify(target.body)))
    .finish();
}

/** Signs `target` with the team key. */
export async function signTeamVouch(target: VouchTarget, signer: TeamSigner): Promise<TeamVouch> {
  const sodium = await loadSodium();
  const sig = sodium.crypto_sign_detached(teamVouchInput(target, signer.version), signer.signSk);
  return { v: signer.version, sig: toBase64Url(sig) };
}

/** The vouch when `value` has its exact shape (a positive version, a canonical 64-byte signature), else undefined. */
export function teamVouchShape(value: unknown): TeamVouch | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const { v, sig, ...rest } = value as { v?: unknown; sig?: unknown };
  if (Object.keys(rest).length > 0 || typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 0xffff_ffff) {
    return undefined;
  }
  if (typeof sig !== "string" || !SIG_TEXT.test(sig)) return undefined;
  const bytes = fromBase64Url(sig);
  return bytes.length === 64 && toBase64Url(bytes) === sig ? { v, sig } : undefined;
}

/**
 * Whether `vouch` is a valid signature over `target` by the team key its
 * version names. `sigPk` gives that version's verified public key (undefined
 * when none verifies: the vouch does not hold).
 */
export async function verifyTeamVouch(
  target: VouchTarget,
  vouch: unknown,
  sigPk: (version: number) => Promise<Uint8Array | undefined>,
): Promise<boolean> {
  const shaped = teamVouchShape(vouch);
  if (!shaped) return false;
  const pk = await sigPk(shaped.v);
  if (!pk || pk.length !== 32) return false;
  const sodium = await loadSodium();
  try {
    return sodium.crypto_sign_verify_detached(fromBase64Url(shaped.sig), teamVouchInput(target, shaped.v), pk);
  } catch {
    return false;
  }
}

/**
 * Splits a decoded plaintext into the body's fields and the vouch it carries
 * (`undefined` when it has no `vouch` key). Never throws; the body is parsed after.
 */
export function splitVouch(value: unknown): { fields: unknown; vouch: unknown } {
  if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, "vouch")) {
    return { fields: value, vouch: undefined };
  }
  const { vouch, ...fields } = value as { vouch: unknown };
  return { fields, vouch };
}
