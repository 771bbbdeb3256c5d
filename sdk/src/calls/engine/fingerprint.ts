/**
 * DTLS fingerprints as the engine uses them, on top of the calls schemas'
 * SDP checks (schemas.ts: `fingerprintMatches`, `sdpFingerprints`): the
 * fingerprint to sign beside a local description, and whether the certificate
 * the peer showed in the handshake (a `getStats` `certificate` record) is the
 * one its signed description named. Compared normalised: the hash name in
 * lower case, the hex in upper case.
 */
import { isFingerprint, normalizeFingerprint, sdpFingerprints } from "../schemas.js";

/** The fingerprint a local session description names (its first `a=fingerprint` line, normalised), to sign beside it. */
export function sdpFingerprint(sdp: string): string | undefined {
  return sdpFingerprints(sdp)[0];
}

/** Whether a `certificate` stat (`fingerprintAlgorithm`, `fingerprint`) is the certificate the signed field names. */
export function certificateMatches(
  stat: { fingerprintAlgorithm?: string; fingerprint?: string },
  signed: string,
): boolean {
  if (!stat.fingerprintAlgorithm || !stat.fingerprint || !isFingerprint(signed)) return false;
  return normalizeFingerprint(`${stat.fingerprintAlgorithm} ${stat.fingerprint}`) === normalizeFingerprint(signed);
}
