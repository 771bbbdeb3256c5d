/**
 * DTLS fingerprints: the `a=fingerprint` lines of a session description, the
 * signed `fingerprint` field of a call's live signal (wire.ts), and the peer's
 * certificate as `getStats` reports it. Compared as algorithm (lower case) and
 * hex digits (upper case, separators dropped), so `sha-256 ab:cd` from one
 * place equals `SHA-256 AB:CD` from another.
 */

/** A fingerprint, normalised. */
export interface Fingerprint {
  /** Hash algorithm, lower case (`sha-256`). */
  algorithm: string;
  /** The digest as upper-case hex digits without separators. */
  hex: string;
}

const FINGERPRINT = /^([A-Za-z0-9-]+)\s+((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})$/;
const SDP_LINE = /^a=fingerprint:(.*)$/gim;

/** Parses `sha-256 AB:CD:…` (as in an `a=fingerprint` line or the signed field); undefined when it is not one. */
export function parseFingerprint(text: string): Fingerprint | undefined {
  const match = FINGERPRINT.exec(text.trim());
  if (!match) return undefined;
  const [, algorithm = "", digest = ""] = match;
  return { algorithm: algorithm.toLowerCase(), hex: digest.replaceAll(":", "").toUpperCase() };
}

/** Whether two fingerprints name the same certificate digest. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.algorithm === b.algorithm && a.hex === b.hex;
}

/** The values of every `a=fingerprint` line of a session description (session and media level), as written. */
export function sdpFingerprintLines(sdp: string): string[] {
  return [...sdp.matchAll(SDP_LINE)].map((m) => (m[1] ?? "").trim());
}

/** The fingerprint a session description names (its first `a=fingerprint` line), to sign beside it. */
export function sdpFingerprint(sdp: string): string | undefined {
  return sdpFingerprintLines(sdp)[0];
}

/**
 * Whether a session description may be taken with its signed fingerprint: it
 * has at least one `a=fingerprint` line, and every one parses and equals the
 * signed field.
 */
export function sdpMatchesFingerprint(sdp: string, signed: string): boolean {
  const want = parseFingerprint(signed);
  const lines = sdpFingerprintLines(sdp);
  if (!want || lines.length === 0) return false;
  return lines.every((line) => {
    const got = parseFingerprint(line);
    return got !== undefined && sameFingerprint(got, want);
  });
}

/** Whether a `certificate` stat (`fingerprintAlgorithm`, `fingerprint`) is the certificate the signed field names. */
export function certificateMatches(
  stat: { fingerprintAlgorithm?: string; fingerprint?: string },
  signed: string,
): boolean {
  const want = parseFingerprint(signed);
  if (!want || !stat.fingerprintAlgorithm || !stat.fingerprint) return false;
  const got = parseFingerprint(`${stat.fingerprintAlgorithm} ${stat.fingerprint}`);
  return got !== undefined && sameFingerprint(got, want);
}
