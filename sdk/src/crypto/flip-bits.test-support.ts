/** Test support: every single-bit variant of a base64url value, for tamper tests. */
import { fromBase64Url, toBase64Url } from "../base64url.js";

export function flipEveryBit(text: string): string[] {
  const bytes = fromBase64Url(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const flipped = bytes.slice();
      flipped[i] = (flipped[i] ?? 0) ^ (1 << bit);
      out.push(toBase64Url(flipped));
    }
  }
  return out;
}
