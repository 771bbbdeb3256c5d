/**
 * Request ids across NATS and HTTP (real gateway, real nats-server): the SDK's
 * id reaches the gateway's log line for that request and comes back in the
 * error reply, and rides on the message events its `msg.send` publishes; a
 * valid caller id is kept, a forged or oversized one replaced.
 */
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { type ParleyClient, ParleyError } from "@parley/sdk";
import { MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWiretap } from "./harness/wiretap.js";
import { waitFor } from "./helpers.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface LogLine {
  msg: string;
  reqId?: string;
  op?: string;
  code?: string;
  route?: string;
  status?: number;
}

describe("request ids", () => {
  let stack: TestStack;
  let owner: ParleyClient;
  let outsider: ParleyClient;
  let raw: NatsConnection;
  let convId: string;
  const logLines = (): LogLine[] =>
    stack
      .logs()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as LogLine);

  /** Sends `{}` as `op` from the outsider's raw connection with `id` in the request-id header (none when undefined). */
  const rawRequest = async (op: string, id: string | undefined) => {
    const h = headers();
    if (id !== undefined) h.set(REQUEST_ID_HEADER, id);
    const reply = await raw.request(subjects.api(outsider.principal.id, op), encoder.encode("{}"), {
      timeout: 3000,
      ...(id !== undefined ? { headers: h } : {}),
    });
    return JSON.parse(decoder.decode(reply.data)) as { ok: boolean; error?: { code: string; requestId?: string } };
  };

  beforeAll(async () => {
    stack = await startStack({ env: { PARLEY_LOG_LEVEL: "debug" } });
    owner = stack.customer("rid-owner");
    outsider = stack.customer("rid-outsider");
    await owner.connect();
    await outsider.connect();
    convId = (await owner.openConversation()).id;
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: outsider.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    raw = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(outsider.principal.id) });
  });
  afterAll(async () => {
    await raw?.close();
    await owner?.close();
    await outsider?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  it("carries the SDK's id into the gateway's log line for that request and back in the error", async () => {
    const error = await outsider.loadConversation(convId).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ParleyError);
    const requestId = (error as ParleyError).requestId;
    expect(requestId).toMatch(/^r_[A-Za-z0-9_-]{22}$/);
    const code = (error as ParleyError).code;
    const line = logLines().find((l) => l.msg === "nats request" && l.reqId === requestId);
    expect(line).toMatchObject({ op: expect.any(String), code });
    // Each request has its own id: no other request's line carries this one.
    expect(logLines().filter((l) => l.reqId === requestId)).toHaveLength(1);
  });

  it("puts the id the SDK sent with msg.send on the message events that send publishes", async () => {
    await using tap = await startWiretap(stack);
    await owner.send(convId, "carry my request id");
    const request = subjects.api(owner.principal.id, "msg.send");
    const sent = tap.requestIds.filter((r) => r.subject === request);
    expect(sent).toHaveLength(1);
    const requestId = sent[0]?.requestId;
    expect(requestId).toMatch(/^r_[A-Za-z0-9_-]{22}$/);
    // The owner's own event subject and the shop team's: the event reaches both with the request's id.
    const eventSubjects = [subjects.user(owner.principal.id), subjects.team(SHOP_ID)];
    const events = await waitFor(() => {
      const found = tap.requestIds.filter((r) => eventSubjects.includes(r.subject));
      return found.length === 2 ? found : undefined;
    }, "the message events");
    expect(events.map((e) => e.requestId)).toEqual([requestId, requestId]);
    // Nothing else carries it: the request and its two events (the reply goes back to the SDK, which knows the id).
    expect(tap.requestIds.filter((r) => r.requestId === requestId).map((r) => r.subject)).toEqual([
      request,
      ...eventSubjects,
    ]);
    // And the gateway's log line for the request names the same id.
    expect(logLines().find((l) => l.msg === "nats request" && l.reqId === requestId)).toMatchObject({ op: "msg.send" });
  });

  it("keeps a valid caller id and replaces a forged or oversized one", async () => {
    const kept = await rawRequest("no.such_op", "support-case:4711.a");
    expect(kept.error?.requestId).toBe("support-case:4711.a");

    const oversized = "a".repeat(MAX_REQUEST_ID_LENGTH + 1);
    const forged = 'x","level":60,"msg":"forged';
    for (const offered of [oversized, forged, ""]) {
      const reply = await rawRequest("no.such_op", offered);
      expect(reply.error?.code).toBe("not_found");
      expect(reply.error?.requestId).toMatch(/^g_[A-Za-z0-9_-]+_[0-9a-z]+$/);
      expect(reply.error?.requestId).not.toBe(offered);
    }
    const none = await rawRequest("no.such_op", undefined);
    expect(none.error?.requestId).toMatch(/^g_/);
    const ids = logLines().map((l) => l.reqId);
    expect(ids).toContain(none.error?.requestId);
    expect(ids).not.toContain(oversized);
    expect(stack.logs()).not.toContain("forged");
  });

  it("answers HTTP requests with their id, in the header and in the error body", async () => {
    const res = await fetch(`${stack.url}/v1/rpc/msg.history`, {
      method: "POST",
      headers: { [REQUEST_ID_HEADER]: "http-req-0001", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(401);
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe("http-req-0001");
    expect(await res.json()).toMatchObject({ error: { code: "unauthorized", requestId: "http-req-0001" } });
    const line = logLines().find((l) => l.msg === "http request" && l.reqId === "http-req-0001");
    expect(line).toMatchObject({ route: "/v1/rpc/:op", status: 401 });

    const bad = await fetch(`${stack.url}/healthz`, { headers: { [REQUEST_ID_HEADER]: "no spaces allowed" } });
    expect(bad.headers.get(REQUEST_ID_HEADER)).toMatch(/^g_/);
  });
});
