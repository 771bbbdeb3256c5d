/** base64url without padding, for bytes, in browsers and Node alike. */

interface NodeBuffer {
  from(buffer: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: "base64url"): string };
}
/** Node's Buffer where there is one: its encoder is native, about ten times the portable one on a message. */
const NodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

export function toBase64Url(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  return portableToBase64Url(bytes);
}

/** The browser path (exported for the test that holds both paths equal). */
export function portableToBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Strict: padding, whitespace or anything else outside the base64url alphabet
 * throws (`atob` alone would skip whitespace, and Node's Buffer decoder skips
 * every unknown character), so one byte string has one accepted text.
 */
export function fromBase64Url(text: string): Uint8Array {
  if (!ALPHABET.test(text)) throw new SyntaxError("not base64url");
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
