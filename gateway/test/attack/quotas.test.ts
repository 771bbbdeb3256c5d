/**
 * Attack rows for quotas (issue 17, item 9): guests flooding the calls that
 * make the gateway store or read on their behalf (conv.open, device.register,
 * profile.update, epoch.commit, msg.history, msg.since, uploads) against two
 * gateways on one store, fresh guests from one IP, a shop filling its storage,
 * and files uploaded but never sent. Client IPs are set with X-Forwarded-For
 * through a trusted loopback proxy setting.
 */
import { createDeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import { toBase64Url } from "@parley/sdk/internal";
import type { DeviceRecord, EpochCommit } from "@parley/sdk/protocol";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Gateway } from "../../src/gateway.js";
import { type Answer, guestSession, type HttpSession } from "../handles-http.js";
import { attack } from "../harness/attack.js";
import { type MongoForTests, mongoForTests } from "../harness/ferretdb.js";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { waitFor } from "../helpers.js";
import { openSession, rawNats } from "./kit.js";

const PER_PRINCIPAL = 4;
const PER_IP = 10;
const QUOTAS = [
  `conv.open=${PER_PRINCIPAL}/${PER_IP}/600`,
  `device.register=${PER_PRINCIPAL}/${PER_IP}/3600`,
  `profile.update=${PER_PRINCIPAL}/${PER_IP}/600`,
  `epoch.commit=${PER_PRINCIPAL}/${PER_IP}/600`,
  `msg.history=${PER_PRINCIPAL}/${PER_IP}/60`,
  `msg.since=${PER_PRINCIPAL}/${PER_IP}/60`,
  `upload=${PER_PRINCIPAL}/${PER_IP}/60`,
].join(",");

const random = (n: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(n)));

/** A commit of the right shape by `device` alone, for `epoch`: what a guest can post without a real chain. */
const junkCommit = (convId: string, epoch: number, device: DeviceRecord): EpochCommit => ({
  v: 1,
  convId,
  epoch,
  prevHash: epoch === 1 ? "" : random(32),
  committer: { principalId: device.principal, deviceId: device.deviceId },
  members: [{ principalId: device.principal, deviceIds: [device.deviceId] }],
  wraps: [{ deviceId: device.deviceId, sealed: random(80) }],
  teamWrap: random(80),
  historyPolicy: "none",
  reason: epoch === 1 ? "create" : "rotate",
  ts: Date.now(),
  teamVersion: 0,
  sig: random(64),
  teamSig: "",
});

const limited = (answers: Answer[]) => answers.filter((a) => !a.ok && a.code === "rate_limited");
const summary = (answers: Answer[]) => answers.map((a) => (a.ok ? "ok" : a.code)).join(",");

const KINDS = ["embedded", "mongodb"] as const;

describe.each(KINDS)("quotas per principal and IP, two gateways on one store (%s)", (kind) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;
  let second: Gateway;
  let urls: [string, string];
  let nextIp = 1;
  const freshIp = () => `198.51.100.${nextIp++}`;

  beforeAll(async () => {
    mongo = kind === "mongodb" ? await mongoForTests() : undefined;
    stack = await startStack({
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      env: { PARLEY_QUOTAS: QUOTAS, PARLEY_TRUST_PROXY: "loopback" },
    });
    // A second gateway on the same store (the same data directory, or the same database) and NATS.
    second = await stack.extraGateway();
    urls = [stack.url, second.url];
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  /** `count` calls of `op` by `session`, alternating between the two gateways. */
  async function flood(session: HttpSession, op: string, body: () => Promise<unknown> | unknown, count: number) {
    const answers: Answer[] = [];
    for (let i = 0; i < count; i++) answers.push(await session.rpc(urls[i % 2] as string, op, await body()));
    return answers;
  }

  const bodies: Record<string, (guest: HttpSession, convId: string) => Promise<() => unknown>> = {
    "conv.open": async () => () => ({}),
    "device.register": async (guest) => {
      const record = await signDeviceRecord(await createDeviceIdentity(), guest.principalId);
      return () => ({ record });
    },
    "profile.update": async () => {
      let n = 0;
      return () => ({ displayName: `Flood ${n++}` });
    },
    "epoch.commit": async (guest, convId) => {
      // The device is registered with the gateway first (one device.register point, another budget).
      const device = await signDeviceRecord(await createDeviceIdentity(), guest.principalId);
      const registered = await guest.rpc(stack.url, "device.register", { record: device });
      if (!registered.ok) throw new Error(registered.code);
      let epoch = 1;
      return () => ({ commit: junkCommit(convId, epoch++, device) });
    },
    "msg.history": async (_guest, convId) => () => ({ convId, limit: 50 }),
    "msg.since": async (_guest, convId) => () => ({ convId, after: 0, limit: 50 }),
  };

  for (const [op, makeBody] of Object.entries(bodies)) {
    attack(
      {
        area: "quotas",
        attack: `guest floods ${op} (12 calls over two gateways) (${kind})`,
        expected: `${PER_PRINCIPAL} answered, then rate_limited with retryAfter (PARLEY_QUOTAS)`,
      },
      async (row) => {
        const guest = await guestSession(stack.url, SHOP_ID, freshIp());
        let convId = "";
        if (op.startsWith("msg.") || op === "epoch.commit") {
          const opened = await guest.rpc(stack.url, "conv.open");
          if (!opened.ok) throw new Error(opened.code);
          convId = (opened.result.conversation as { id: string }).id;
        }
        const body = await makeBody(guest, convId);
        // conv.open above took one point of conv.open's budget, not of the history reads'.
        const answers = await flood(guest, op, body, 12);
        const refused = limited(answers);
        row.observed(
          `${answers.length - refused.length} of 12 answered, ${refused.length} rate_limited (retryAfter ${refused[0] && !refused[0].ok ? refused[0].retryAfter : "-"} s)`,
        );
        expect(answers.slice(0, PER_PRINCIPAL).every((a) => a.ok || a.code !== "rate_limited")).toBe(true);
        expect(refused.length, summary(answers)).toBe(12 - PER_PRINCIPAL);
        for (const a of refused) expect(!a.ok && (a.retryAfter ?? 0) > 0).toBe(true);
      },
    );
  }

  attack(
    {
      area: "quotas",
      attack: `fresh guests from one IP open conversations (6 guests × 3 conv.open, two gateways) (${kind})`,
      expected: `the IP's budget: ${PER_IP} of 18 answered, the rest rate_limited`,
    },
    async (row) => {
      const ip = freshIp();
      const answers: Answer[] = [];
      for (let g = 0; g < 6; g++) {
        const guest = await guestSession(urls[g % 2] as string, SHOP_ID, ip);
        answers.push(...(await flood(guest, "conv.open", () => ({}), 3)));
      }
      const refused = limited(answers);
      row.observed(`${answers.length - refused.length} of 18 answered, ${refused.length} rate_limited`);
      expect(refused.length, summary(answers)).toBe(18 - PER_IP);
    },
  );

  attack(
    {
      area: "quotas",
      attack: `guest floods msg.history over raw NATS (20 requests, queue group of two gateways) (${kind})`,
      expected: `${PER_PRINCIPAL} answered, then rate_limited`,
    },
    async (row) => {
      const guest = await rawNats(stack, await openSession(stack));
      try {
        const opened = await guest.rpc("conv.open", {});
        if (!opened.ok) throw new Error(opened.error.code);
        const convId = (opened.result as { conversation: { id: string } }).conversation.id;
        const codes: string[] = [];
        for (let i = 0; i < 20; i++) {
          const reply = await guest.rpc("msg.history", { convId, limit: 50 });
          codes.push(reply.ok ? "ok" : reply.error.code);
        }
        const refused = codes.filter((c) => c === "rate_limited").length;
        row.observed(`${20 - refused} of 20 answered, ${refused} rate_limited`);
        expect(refused, codes.join(",")).toBe(20 - PER_PRINCIPAL);
      } finally {
        await guest.close();
      }
    },
  );
  it("gives the shop's team ten times the per-principal budget and takes no IP point for it", async () => {
    const ip = freshIp();
    const guest = await guestSession(stack.url, SHOP_ID, ip);
    const opened = await guest.rpc(stack.url, "conv.open");
    if (!opened.ok) throw new Error(opened.code);
    const convId = (opened.result.conversation as { id: string }).id;
    const res = await fetch(`${stack.url}/v1/agent/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": ip },
      body: JSON.stringify({ shopId: SHOP_ID, login: AGENT_LOGIN, password: AGENT_PASSWORD }),
    });
    const { apiToken } = (await res.json()) as { apiToken: string };
    const codes: string[] = [];
    for (let i = 0; i < PER_PRINCIPAL * 10 + 3; i++) {
      const r = await fetch(`${urls[i % 2]}/v1/rpc/msg.history`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiToken}` },
        body: JSON.stringify({ convId, limit: 10 }),
      });
      const body = (await r.json()) as { ok?: boolean; error?: { code: string } };
      codes.push(body.ok ? "ok" : (body.error?.code ?? "?"));
    }
    expect(
      codes.filter((c) => c === "ok"),
      codes.join(","),
    ).toHaveLength(PER_PRINCIPAL * 10);
    expect(codes.slice(PER_PRINCIPAL * 10)).toEqual(["rate_limited", "rate_limited", "rate_limited"]);
    // The agent's reads took nothing from the IP it shares with the guest.
    const guestReads = await flood(guest, "msg.history", () => ({ convId, limit: 10 }), PER_PRINCIPAL);
    expect(guestReads.every((a) => a.ok)).toBe(true);
  });

  attack(
    {
      area: "quotas",
      attack: `guest uploads 12 files over two gateways (${kind})`,
      expected: `${PER_PRINCIPAL} stored, then 429 rate_limited; nothing stored past the budget`,
    },
    async (row) => {
      const ip = freshIp();
      const session = await fetch(`${stack.url}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": ip },
        body: JSON.stringify({ shopId: SHOP_ID, guest: true }),
      }).then((r) => r.json() as Promise<{ apiToken: string }>);
      const auth = { authorization: `Bearer ${session.apiToken}` };
      const opened = await fetch(`${stack.url}/v1/rpc/conv.open`, {
        method: "POST",
        headers: { "content-type": "application/json", ...auth },
        body: "{}",
      }).then((r) => r.json() as Promise<{ result: { conversation: { id: string } } }>);
      const convId = opened.result.conversation.id;
      const answers: { status: number; code?: string }[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${urls[i % 2]}/v1/files?convId=${convId}`, {
          method: "POST",
          headers: { "content-type": "application/octet-stream", ...auth },
          body: new Uint8Array(1000).fill(i),
        });
        const body = (await res.json()) as { error?: { code: string } };
        answers.push({ status: res.status, ...(body.error ? { code: body.error.code } : {}) });
      }
      const stored = (await stack.gateway.blobs.list({ convId }, 100)).length;
      const refused = answers.filter((a) => a.code === "rate_limited").length;
      row.observed(
        `${answers.filter((a) => a.status === 201).length} of 12 stored (${stored} in the blob store), ${refused} answered 429 rate_limited`,
      );
      expect(answers.slice(0, PER_PRINCIPAL).every((a) => a.status === 201)).toBe(true);
      expect(refused).toBe(12 - PER_PRINCIPAL);
      expect(stored).toBe(PER_PRINCIPAL);
    },
  );
});

const FULL_SHOP = "shop_full";
const FULL_SECRET = "full-shop-secret-0123456789abcdefghijklm";
const QUOTA_BYTES = 1024 * 1024;

/** A customer session of `shopId` over HTTP, with its API token for uploads. */
async function customerOf(stack: TestStack, shopId: string, secret: string, id: string) {
  const token = await signCustomerToken({ shopId, key: { alg: "HS256", secret }, customer: { id } });
  const res = await fetch(`${stack.url}/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ shopId, token }),
  });
  const session = (await res.json()) as { apiToken: string; principal: { id: string } };
  const auth = { authorization: `Bearer ${session.apiToken}` };
  const rpc = async (op: string, body: unknown = {}) => {
    const r = await fetch(`${stack.url}/v1/rpc/${op}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify(body),
    });
    return (await r.json()) as { ok: boolean; result?: Record<string, unknown>; error?: { code: string } };
  };
  const upload = async (convId: string, bytes: number) => {
    const r = await fetch(`${stack.url}/v1/files?convId=${convId}`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", ...auth },
      body: new Uint8Array(bytes).fill(7),
    });
    return { status: r.status, body: (await r.json()) as { id?: string; error?: { code: string } } };
  };
  // 0 when the connection broke off: a download racing the sweep's delete is cut short mid-stream.
  const download = async (convId: string, id: string) =>
    fetch(`${stack.url}/v1/files/${id}?convId=${convId}`, { headers: auth }).then(
      async (r) => {
        await r.body?.cancel();
        return r.status;
      },
      () => 0,
    );
  const opened = await rpc("conv.open");
  if (!opened.ok || !opened.result) throw new Error(`conv.open: ${opened.error?.code}`);
  const convId = (opened.result.conversation as { id: string }).id;
  return { principalId: session.principal.id, convId, rpc, upload, download };
}

let n = 0;
const envelope = (convId: string, ctChars: number) => ({
  v: 1 as const,
  convId,
  epoch: 0,
  msgId: `quota-msg-${String(n++).padStart(8, "0")}`,
  senderDevice: "d_test",
  ts: Date.now(),
  alg: "none",
  nonce: "",
  ct: "A".repeat(ctChars),
  sig: "",
});

describe.each(KINDS)("per-shop storage quota and unclaimed files (%s)", (kind) => {
  let mongo: MongoForTests | undefined;
  let stack: TestStack;

  beforeAll(async () => {
    mongo = kind === "mongodb" ? await mongoForTests() : undefined;
    stack = await startStack({
      ...(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {}),
      env: { PARLEY_SHOP_STORAGE_QUOTA: String(QUOTA_BYTES), PARLEY_BLOB_CLAIM_WINDOW: "2" },
    });
    await stack.gateway.admin.putShop(FULL_SHOP, {
      name: "Full Shop",
      tokenKey: { alg: "HS256", secret: FULL_SECRET },
      allowedOrigins: [],
      allowGuests: false,
    });
  });
  afterAll(async () => {
    await stack?.[Symbol.asyncDispose]();
    await mongo?.[Symbol.asyncDispose]();
  });

  attack(
    {
      area: "quotas",
      attack: `a customer fills its shop's storage with 60 KB messages, then uploads (${kind})`,
      expected: `quota_exceeded (413) past PARLEY_SHOP_STORAGE_QUOTA (${QUOTA_BYTES} B here), nothing half-stored`,
    },
    async (row) => {
      const customer = await customerOf(stack, FULL_SHOP, FULL_SECRET, "filler");
      const codes: string[] = [];
      for (let i = 0; i < 24; i++) {
        const reply = await customer.rpc("msg.send", {
          convId: customer.convId,
          envelope: envelope(customer.convId, 60_000),
        });
        codes.push(reply.ok ? "ok" : (reply.error?.code ?? "?"));
      }
      const accepted = codes.filter((c) => c === "ok").length;
      const firstRefused = codes.indexOf("quota_exceeded");
      const blobsBefore = (await stack.gateway.blobs.list({ convId: customer.convId }, 100)).length;
      const up = await customer.upload(customer.convId, 64 * 1024);
      const blobsAfter = (await stack.gateway.blobs.list({ convId: customer.convId }, 100)).length;
      // Straight from the store: what was kept, whatever the history pages look like (one 60 KB message a page).
      const stored = (await stack.gateway.store.since(customer.convId, 0, 100)).map((m) => m.seq);
      row.observed(
        `${accepted} of 24 sends stored, then ${codes.length - accepted} quota_exceeded; upload ${up.status} ${up.body.error?.code}; ${stored.length} messages in history (seq 1..${stored.at(-1)}); blobs ${blobsBefore} -> ${blobsAfter}`,
      );
      expect(accepted).toBeGreaterThan(0);
      expect(firstRefused).toBe(accepted);
      expect(codes.slice(firstRefused).every((c) => c === "quota_exceeded")).toBe(true);
      expect(stored).toEqual(Array.from({ length: accepted }, (_, i) => i + 1));
      expect(up.status).toBe(413);
      expect(up.body.error?.code).toBe("quota_exceeded");
      expect(blobsAfter).toBe(blobsBefore);
      // The seeded shop is not affected by another shop's storage.
      const other = await customerOf(stack, SHOP_ID, "test-shop-secret-0123456789abcdefghijkl", "elsewhere");
      const sent = await other.rpc("msg.send", { convId: other.convId, envelope: envelope(other.convId, 1000) });
      expect(sent.ok).toBe(true);
    },
  );

  attack(
    {
      area: "quotas",
      attack: `a customer uploads files it never sends (claim window 2 s here) (${kind})`,
      expected: "unclaimed file deleted after PARLEY_BLOB_CLAIM_WINDOW; a file a sent message claimed stays",
    },
    async (row) => {
      const customer = await customerOf(stack, SHOP_ID, "test-shop-secret-0123456789abcdefghijkl", "uploader");
      const orphan = await customer.upload(customer.convId, 4096);
      const kept = await customer.upload(customer.convId, 4096);
      expect([orphan.status, kept.status]).toEqual([201, 201]);
      const keptId = kept.body.id as string;
      const orphanId = orphan.body.id as string;
      const sent = await customer.rpc("msg.send", {
        convId: customer.convId,
        envelope: envelope(customer.convId, 200),
        blobs: [keptId],
      });
      expect(sent.ok, JSON.stringify(sent)).toBe(true);
      await stack.gateway.storage.flush();
      const usedBefore = await stack.gateway.store.shopBytes(SHOP_ID);
      const started = Date.now();
      await waitFor(
        async () => (await customer.download(customer.convId, orphanId)) === 404,
        "the orphan is swept",
        12_000,
      );
      const sweptAfter = Date.now() - started;
      const keptStatus = await customer.download(customer.convId, keptId);
      // The counter moves just after the delete that made the download 404.
      const freed = await waitFor(
        async () => {
          const given = usedBefore - (await stack.gateway.store.shopBytes(SHOP_ID));
          return given >= 4096 && given;
        },
        "the orphan's bytes given back",
        5000,
      ).catch(async () => usedBefore - (await stack.gateway.store.shopBytes(SHOP_ID)));
      row.observed(
        `unclaimed file 404 after ${Math.round(sweptAfter / 100) / 10} s, ${freed} B given back to the shop; claimed file ${keptStatus}`,
      );
      expect(keptStatus).toBe(200);
      expect(freed).toBe(4096);
    },
  );

  it("deletes a conversation's files and gives their bytes back (the hook for deleting conversations)", async () => {
    const customer = await customerOf(stack, SHOP_ID, "test-shop-secret-0123456789abcdefghijkl", "deleter");
    const ids = [
      (await customer.upload(customer.convId, 3000)).body.id,
      (await customer.upload(customer.convId, 5000)).body.id,
    ];
    const sent = await customer.rpc("msg.send", {
      convId: customer.convId,
      envelope: envelope(customer.convId, 100),
      blobs: ids,
    });
    expect(sent.ok).toBe(true);
    await stack.gateway.storage.flush();
    const before = await stack.gateway.store.shopBytes(SHOP_ID);
    expect(await stack.gateway.storage.deleteConversationFiles(customer.convId)).toBe(2);
    expect(before - (await stack.gateway.store.shopBytes(SHOP_ID))).toBe(8000);
    for (const id of ids) expect(await customer.download(customer.convId, id as string)).toBe(404);
    expect(await stack.gateway.storage.deleteConversationFiles(customer.convId)).toBe(0);
  });

  attack(
    {
      area: "quotas",
      attack: `a file sent with the SDK outlives the claim window (2 s here) (${kind})`,
      expected: "the SDK claims the file it sends: still downloadable after 3 windows",
    },
    async (row) => {
      const customer = stack.customer("sdk-sender", { encryption: true });
      const agent = stack.agent({ encryption: true });
      await Promise.all([customer.connect(), agent.connect()]);
      try {
        const convId = (await customer.openConversation()).id;
        const bytes = new Uint8Array(10_000).fill(3);
        const sent = await customer.sendFile(convId, bytes, { name: "kept.bin", mime: "application/octet-stream" });
        if (sent.body?.type !== "file") throw new Error("not a file message");
        const ref = sent.body.file;
        await new Promise((r) => setTimeout(r, 6500));
        await stack.gateway.storage.sweep();
        const plain = await customer.downloadFile(convId, ref);
        row.observed(`after 6.5 s and a sweep: ${plain.length} of ${bytes.length} bytes downloaded`);
        expect(plain).toEqual(bytes);
      } finally {
        await Promise.all([customer.close(), agent.close()]);
      }
    },
  );
});
