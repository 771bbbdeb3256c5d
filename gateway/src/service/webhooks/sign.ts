/** The signature of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + rawBody)>`. */
import { createHmac } from "node:crypto";

export function signatureHeader(secret: string, unixSeconds: number, rawBody: string): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${rawBody}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}
