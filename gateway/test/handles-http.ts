/**
 * A small HTTP client for handle tests: sessions and RPCs straight against one
 * gateway's HTTP API (`POST /v1/session`, `POST /v1/rpc/<op>`), so a test picks
 * which of two gateways answers and every request comes from one client IP.
 */
import { signCustomerToken } from "@parley/sdk/server";

/** An RPC answer: the result, or the error's code (and `retryAfter` when rate-limited). */
export type Answer = { ok: true; result: Record<string, unknown> } | { ok: false; code: string; retryAfter?: number };

/** A session minted over HTTP: its principal and how to call RPCs with it on any gateway. */
export interface HttpSession {
  principalId: string;
  rpc(gatewayUrl: string, op: string, body?: unknown): Promise<Answer>;
}

/**
 * POSTs JSON; `ip` is sent as `X-Forwarded-For`, which a gateway with `PARLEY_TRUST_PROXY=loopback`
 * takes as the client's IP (as behind a TLS proxy), so one test process can be several clients.
 */
async function post(
  url: string,
  body: unknown,
  token?: string,
  ip?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(ip ? { "x-forwarded-for": ip } : {}),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The error code and retryAfter of a failed HTTP reply, or the result of a successful one. */
function toAnswer(json: unknown): Answer {
  const reply = json as {
    ok?: boolean;
    result?: Record<string, unknown>;
    error?: { code: string; retryAfter?: number };
  };
  if (reply.ok && reply.result) return { ok: true, result: reply.result };
  return {
    ok: false,
    code: reply.error?.code ?? "?",
    ...(reply.error?.retryAfter === undefined ? {} : { retryAfter: reply.error.retryAfter }),
  };
}

function session(json: unknown): HttpSession {
  const s = json as { apiToken: string; principal: { id: string } };
  return {
    principalId: s.principal.id,
    rpc: async (gatewayUrl, op, body = {}) =>
      toAnswer((await post(`${gatewayUrl}/v1/rpc/${op}`, body, s.apiToken)).json),
  };
}

/** Opens a guest session at `gatewayUrl`. */
export async function guestSession(gatewayUrl: string, shopId: string, ip?: string): Promise<HttpSession> {
  const { status, json } = await post(`${gatewayUrl}/v1/session`, { shopId, guest: true }, undefined, ip);
  if (status !== 200) throw new Error(`guest session: ${status} ${JSON.stringify(json)}`);
  return session(json);
}

/** Opens a customer session at `gatewayUrl` with a token the shop signs (HS256); rejects with the error code. */
export async function customerSession(
  gatewayUrl: string,
  shop: { id: string; secret: string },
  customer: { id: string; name?: string; ip?: string },
): Promise<HttpSession> {
  const { ip, ...who } = customer;
  const token = await signCustomerToken({ shopId: shop.id, key: { alg: "HS256", secret: shop.secret }, customer: who });
  const { status, json } = await post(`${gatewayUrl}/v1/session`, { shopId: shop.id, token }, undefined, ip);
  if (status !== 200) throw new Error((json as { error?: { code?: string } }).error?.code ?? `status ${status}`);
  return session(json);
}

/** The error code of an answer that must have failed. */
export function codeOf(answer: Answer): string {
  if (answer.ok) throw new Error(`expected an error, got ${JSON.stringify(answer.result)}`);
  return answer.code;
}

/** The error code a guest session request with this display name gets, or "ok". */
export async function guestSessionCode(gatewayUrl: string, shopId: string, displayName: string): Promise<string> {
  const { status, json } = await post(`${gatewayUrl}/v1/session`, { shopId, guest: true, displayName });
  return status === 200 ? "ok" : ((json as { error?: { code?: string } }).error?.code ?? `status ${status}`);
}
