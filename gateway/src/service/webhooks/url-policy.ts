/**
 * Where the gateway may send webhooks (server-side request forgery): an
 * `https:` URL whose host resolves only to public addresses. With
 * `allowLoopback` (`PARLEY_WEBHOOK_ALLOW_LOOPBACK`, for development and tests)
 * also `http:`, and loopback addresses. Private, link-local, unique-local,
 * CGNAT, multicast and unspecified addresses are always refused, checked on
 * the address each connection actually uses (so a DNS answer that changes
 * after the URL was registered changes nothing).
 */
import { BlockList, isIP } from "node:net";

/** Addresses never reachable by a webhook. */
const BLOCKED = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  BLOCKED.addSubnet(net, bits, "ipv6");
}
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`) is judged as the IPv4 address. */
function unmapped(address: string): { address: string; family: "ipv4" | "ipv6" } {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (m?.[1]) return { address: m[1], family: "ipv4" };
  return { address, family: isIP(address) === 6 ? "ipv6" : "ipv4" };
}

/** Why a webhook may not connect to `address`, or undefined when it may. */
export function addressProblem(address: string, allowLoopback: boolean): string | undefined {
  const a = unmapped(address);
  if (LOOPBACK.check(a.address, a.family)) {
    return allowLoopback ? undefined : `${address} is a loopback address`;
  }
  if (BLOCKED.check(a.address, a.family)) return `${address} is a private, link-local or reserved address`;
  return undefined;
}

/** Why `raw` cannot be a webhook URL, or undefined when it can (its addresses are checked per connection). */
export function webhookUrlProblem(raw: string, allowLoopback: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL";
  }
  if (url.username || url.password) return "must not carry credentials";
  if (url.hash) return "must not have a fragment";
  if (url.protocol !== "https:" && !(allowLoopback && url.protocol === "http:")) {
    return allowLoopback ? "must be http: or https:" : "must be https: (http: needs PARLEY_WEBHOOK_ALLOW_LOOPBACK)";
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return addressProblem(host, allowLoopback);
  if (!allowLoopback && (host === "localhost" || host.endsWith(".localhost"))) return "localhost is not allowed";
  return undefined;
}
