/**
 * What an attacker holds in the attack suite: a session obtained over HTTP
 * like any widget's (guest, customer or agent), and a raw NATS WebSocket
 * connection with that session's JWT, through which it can send requests the
 * SDK never would (any reply subject, any body, any rate).
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { type RpcReply, type SessionResponse, subjects } from "@parley/sdk/protocol";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, type TestStack } from "../harness/stack.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** POSTs JSON to the gateway (no Origin header, as a server-side client); answers the status and the parsed body. */
export async function postJson(
  stack: TestStack,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${stack.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** A session as the gateway answers `POST /v1/session`; throws on anything but 200. */
export async function openSession(
  stack: TestStack,
  who: { guest: true } | { token: string } = { guest: true },
): Promise<SessionResponse> {
  const res = await postJson(stack, "/v1/session", { shopId: SHOP_ID, ...who });
  if (res.status !== 200) throw new Error(`session refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as SessionResponse;
}

/** The seeded agent's session. */
export async function agentSession(stack: TestStack): Promise<SessionResponse> {
  const res = await postJson(stack, "/v1/agent/session", {
    shopId: SHOP_ID,
    login: AGENT_LOGIN,
    password: AGENT_PASSWORD,
  });
  if (res.status !== 200) throw new Error(`agent login refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as SessionResponse;
}

/** An attacker's raw NATS connection: the session's JWT over WebSocket, its own inbox prefix. */
export interface RawNats {
  nc: NatsConnection;
  session: SessionResponse;
  /** The principal id the session is for. */
  principal: string;
  /**
   * Sends one RPC as this principal and waits for the reply (on the connection's own inbox, or on
   * `reply` when given, which the attacker must be subscribed to itself to see anything).
   */
  rpc(op: string, body: unknown, options?: { timeout?: number }): Promise<RpcReply>;
  /** Publishes one request with any reply subject and does not wait. */
  publish(op: string, body: unknown, reply?: string): void;
  close(): Promise<void>;
}

/** Connects `session` over NATS WebSocket the way the SDK does, but with nothing in between. */
export async function rawNats(stack: TestStack, session: SessionResponse): Promise<RawNats> {
  const principal = session.principal.id;
  const nc = await stack.nats.wsConnect(session.nats.jwt, { inboxPrefix: session.nats.inboxPrefix });
  const subject = (op: string) => subjects.api(principal, op);
  const payload = (body: unknown) => encoder.encode(typeof body === "string" ? body : JSON.stringify(body));
  return {
    nc,
    session,
    principal,
    async rpc(op, body, options = {}) {
      const msg = await nc.request(subject(op), payload(body), { timeout: options.timeout ?? 5000 });
      return JSON.parse(decoder.decode(msg.data)) as RpcReply;
    },
    publish(op, body, reply) {
      nc.publish(subject(op), payload(body), reply === undefined ? {} : { reply });
    },
    async close() {
      if (!nc.isClosed()) await nc.close();
    },
  };
}
