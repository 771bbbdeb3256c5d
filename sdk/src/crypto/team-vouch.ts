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
 *   Readers strip it before the body is parsed (`splitVouch`), so bodies never carry it.
 *
 * These are the rules with their dependencies filled in, for tools and tests;
 * the SDK itself loads team-vouch-rules.ts on demand.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { TeamSigner } from "./message-crypto.js";
import { vouchKit } from "./message-crypto.js";
import {
  signVouch,
  type TeamVouch,
  type VouchTarget,
  verifyVouch,
  vouchInput,
  vouchShape,
} from "./team-vouch-rules.js";

export type { TeamSigner } from "./message-crypto.js";
export type { TeamVouch, VouchTarget } from "./team-vouch-rules.js";

/** The bytes a vouch for `target` signs under team key `version`. */
export async function teamVouchInput(target: VouchTarget, version: number): Promise<Uint8Array> {
  return vouchInput(await vouchKit(), target, version);
}

/** Signs `target` with the team key. */
export async function signTeamVouch(target: VouchTarget, signer: TeamSigner): Promise<TeamVouch> {
  return signVouch(await vouchKit(), target, signer);
}

/** The vouch when `value` has its exact shape (a positive version, a canonical 64-byte signature), else undefined. */
export function teamVouchShape(value: unknown): TeamVouch | undefined {
  return vouchShape({ fromBase64Url, toBase64Url }, value);
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
  return verifyVouch(await vouchKit(), target, vouch, sigPk);
}
