import type { NatsConnection } from "@nats-io/nats-core";
import type { ParleyClient } from "@parley/sdk";
import { type Envelope, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe("bad input is refused with a stable code and stores nothing", () => {
  let stack: TestStack;
  let customer: ParleyClient;
  let outsider: ParleyClient;
  let raw: NatsConnection;
  let convId: string;
  let validEnvelope: Envelope;

  /** Sends raw bytes as the customer on its own api subject and returns the parsed reply. */
  const rawRequest = async (op: string, data: Uint8Array | string) => {
    const reply = await raw.request(
      subjects.api(customer.principal.id, op),
      typeof data === "string" ? encoder.encode(data) : data,
      { timeout: 3000 },
    );
    return JSON.parse(decoder.decode(reply.data)) as { ok: boolean; error?: { code: string } };
  };
  const stored = async () => (await stack.gateway.store.since(convId, 0, 1000)).map((m) => m.msgId);

  beforeAll(async () => {
    stack = await startStack();
    customer = stack.customer("cust-bad");
    outsider = stack.customer("cust-outsider");
    await customer.connect();
    await outsider.connect();
    convId = (await customer.openConversation()).id;
    const first = await customer.send(convId, "the only message");
    const [message] = await stack.gateway.store.since(convId, 0, 1);
    if (!message) throw new Error("setup: message not stored");
    expect(message.msgId).toBe(first.msgId);
    validEnvelope = message.envelope;
    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: customer.principal.id,
      kind: "customer",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    raw = await stack.nats.wsConnect(jwt, { inboxPrefix: subjects.inboxPrefix(customer.principal.id) });
  });
  afterAll(async () => {
    await raw?.close();
    await customer?.close();
    await outsider?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  const envelopeWith = (change: Record<string, unknown>) => ({
    ...validEnvelope,
    msgId: `bad${crypto.randomUUID().replace(/-/g, "")}`,
    ...change,
  });

  it("answers malformed JSON over NATS with bad_request", async () => {
    expect(await rawRequest("msg.send", "{not json")).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect(await stored()).toHaveLength(1);
  });

  it("answers an oversize request over NATS with payload_too_large", async () => {
    const big = JSON.stringify({ convId, envelope: envelopeWith({ ct: "A".repeat(100_000) }) });
    expect(await rawRequest("msg.send", big)).toMatchObject({ ok: false, error: { code: "payload_too_large" } });
    expect(await stored()).toHaveLength(1);
  });

  it("answers an unknown operation with not_found", async () => {
    expect(await rawRequest("msg.delete_everything", "{}")).toMatchObject({ ok: false, error: { code: "not_found" } });
  });

  const injections: Array<[string, unknown]> = [
    ["a $gt operator as convId", { convId: { $gt: "" }, envelope: "x" }],
    ["a $ne operator in the envelope", { convId: "CONV", envelope: { $ne: null } }],
    ["$where", { convId: "CONV", envelope: "ENV", $where: "sleep(1000)" }],
    ["a dotted key", { convId: "CONV", envelope: "ENV", "envelope.seq": 1 }],
    ["__proto__", JSON.parse('{"convId":"CONV","envelope":"ENV","__proto__":{"admin":true}}')],
    ["an array body", ["CONV"]],
    ["an array convId", { convId: ["CONV"], envelope: "ENV" }],
    ["a convId with a subject wildcard", { convId: "cv_*", envelope: "ENV" }],
    ["a convId with a dot", { convId: "cv.x", envelope: "ENV" }],
    ["a msgId with spaces", { convId: "CONV", envelope: "ENV_BAD_MSGID" }],
    ["an extra envelope field", { convId: "CONV", envelope: "ENV_EXTRA" }],
    ["a negative epoch", { convId: "CONV", envelope: "ENV_NEG_EPOCH" }],
    ["an envelope for another conversation", { convId: "CONV", envelope: "ENV_OTHER_CONV" }],
  ];
  for (const [name, template] of injections) {
    it(`refuses ${name} with bad_request and stores nothing`, async (ctx) => {
      const row = asAttack(ctx, {
        area: "rpc",
        attack: `msg.send over NATS with ${name}`,
        expected: "bad_request, store unchanged",
      });
      const body = JSON.parse(
        JSON.stringify(template)
          .replaceAll('"CONV"', JSON.stringify(convId))
          .replaceAll('"ENV_BAD_MSGID"', JSON.stringify(envelopeWith({ msgId: "has spaces in it!!" })))
          .replaceAll('"ENV_EXTRA"', JSON.stringify(envelopeWith({ seq: 99 })))
          .replaceAll('"ENV_NEG_EPOCH"', JSON.stringify(envelopeWith({ epoch: -1 })))
          .replaceAll('"ENV_OTHER_CONV"', JSON.stringify(envelopeWith({ convId: "cv_someotherconversation" })))
          .replaceAll('"ENV"', JSON.stringify(envelopeWith({}))),
      );
      const before = await stored();
      expect(await rawRequest("msg.send", JSON.stringify(body))).toMatchObject({
        ok: false,
        error: { code: "bad_request" },
      });
      expect(await stored()).toEqual(before);
      row.observed("bad_request, store unchanged");
    });
  }

  it("answers a send to an unknown conversation with not_found", async () => {
    const body = { convId: "cv_doesnotexist", envelope: envelopeWith({ convId: "cv_doesnotexist" }) };
    expect(await rawRequest("msg.send", JSON.stringify(body))).toMatchObject({
      ok: false,
      error: { code: "not_found" },
    });
  });

  it("answers a non-member's send and read with not_found and stores nothing", async () => {
    const before = await stored();
    await expect(outsider.send(convId, "intruding")).rejects.toMatchObject({ code: "not_found" });
    await expect(outsider.request("msg.history", { convId })).rejects.toMatchObject({ code: "not_found" });
    expect(await stored()).toEqual(before);
  });

  describe("over HTTP", () => {
    const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });

    it("answers malformed JSON with 400 bad_request", async () => {
      const res = await postJson("/v1/session", "{oops");
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe("bad_request");
    });

    it("answers an oversize body with 413 payload_too_large", async (ctx) => {
      const row = asAttack(ctx, {
        area: "http",
        attack: "oversize session body (200 kB token)",
        expected: "413 payload_too_large",
      });
      const res = await postJson("/v1/session", JSON.stringify({ shopId: SHOP_ID, token: "x".repeat(200_000) }));
      expect(res.status).toBe(413);
      expect((await res.json()).error.code).toBe("payload_too_large");
      row.observed("413 payload_too_large");
    });

    for (const [name, body] of [
      ["$gt as shopId", { shopId: { $gt: "" }, guest: true }],
      ["$ne as token", { shopId: SHOP_ID, token: { $ne: null } }],
      ["__proto__", JSON.parse(`{"shopId":"${SHOP_ID}","guest":true,"__proto__":{"x":1}}`)],
      ["an array", [SHOP_ID]],
      ["a dotted key", { shopId: SHOP_ID, guest: true, "device.deviceId": "x" }],
    ] as const) {
      it(`answers a session request with ${name} with 400 bad_request`, async (ctx) => {
        const row = asAttack(ctx, {
          area: "http",
          attack: `session request with ${name}`,
          expected: "400 bad_request",
        });
        const res = await postJson("/v1/session", JSON.stringify(body));
        expect(res.status).toBe(400);
        expect((await res.json()).error.code).toBe("bad_request");
        row.observed(`${res.status} bad_request`);
      });
    }

    it("answers an RPC without a valid bearer token with 401", async () => {
      const res = await postJson("/v1/rpc/conv.list", "{}", { authorization: "Bearer nope" });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    });

    it("answers history of someone else's conversation over HTTP RPC with 404 and no data", async () => {
      const session = await (await postJson("/v1/session", JSON.stringify({ shopId: SHOP_ID, guest: true }))).json();
      const res = await postJson("/v1/rpc/msg.history", JSON.stringify({ convId }), {
        authorization: `Bearer ${session.apiToken}`,
      });
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body.error.code).toBe("not_found");
      expect(JSON.stringify(body)).not.toContain(validEnvelope.ct);
    });

    it("answers every conversation operation by a non-member with 404 and no data", async (ctx) => {
      const row = asAttack(ctx, {
        area: "http",
        attack: "every conversation op over HTTP as a non-member",
        expected: "404, no data",
      });
      const session = await (await postJson("/v1/session", JSON.stringify({ shopId: SHOP_ID, guest: true }))).json();
      const auth = { authorization: `Bearer ${session.apiToken}` };
      const ops: Array<[string, unknown]> = [
        ["conv.get", { convId }],
        ["conv.leave", { convId }],
        ["conv.remove", { convId, principalId: customer.principal.id }],
        ["msg.send", { convId, envelope: envelopeWith({}) }],
        ["msg.history", { convId }],
        ["msg.since", { convId, after: 0 }],
        ["invite.create", { convId, handle: "anyone" }],
      ];
      const before = await stored();
      for (const [op, body] of ops) {
        const res = await postJson(`/v1/rpc/${op}`, JSON.stringify(body), auth);
        const text = await res.text();
        expect([op, res.status]).toEqual([op, 404]);
        expect(JSON.parse(text).error.code).toBe("not_found");
        expect(text).not.toContain(validEnvelope.ct);
        expect(text).not.toContain(customer.principal.id);
      }
      expect(await stored()).toEqual(before);
      expect((await stack.gateway.store.listMembers(convId)).map((m) => m.principalId)).toEqual([
        customer.principal.id,
      ]);
      row.observed(`${ops.length} of ${ops.length} ops 404, no ciphertext or ids in the replies`);
    });

    it("serves a member's history over HTTP RPC", async () => {
      const token = await stack.customerToken("cust-bad");
      const session = await (await postJson("/v1/session", JSON.stringify({ shopId: SHOP_ID, token }))).json();
      const res = await postJson("/v1/rpc/msg.history", JSON.stringify({ convId }), {
        authorization: `Bearer ${session.apiToken}`,
      });
      expect(res.status).toBe(200);
      expect((await res.json()).result.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    });

    it("answers an unknown route with 404 not_found", async () => {
      const res = await fetch(`${stack.url}/v1/nothing-here`);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("not_found");
    });
  });
});
