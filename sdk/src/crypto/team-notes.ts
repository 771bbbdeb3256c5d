/**
 * Internal notes of a shop's team: sealed like messages (signed
 * XChaCha20-Poly1305 envelopes), under a key every holder of the team key can
 * derive and nobody else can: `crypto_kdf` subkey 1, context "pnotes01", of the
 * team key's X25519 secret. The envelope's `epoch` names the team key version.
 */
import { loadSodium } from "./sodium.js";

const NOTES_CONTEXT = "pnotes01";
const NOTES_SUBKEY_ID = 1;

/** The notes key of a team key version, from that version's box secret key (32 bytes). */
export async function deriveNotesKey(teamBoxSk: Uint8Array): Promise<Uint8Array> {
  if (!(teamBoxSk instanceof Uint8Array) || teamBoxSk.length !== 32) throw new RangeError("a team box key is 32 bytes");
  const sodium = await loadSodium();
  return sodium.crypto_kdf_derive_from_key(32, NOTES_SUBKEY_ID, NOTES_CONTEXT, teamBoxSk);
}
