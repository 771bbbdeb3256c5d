/**
 * Attack rows for the RPC responder (issue 17, items 1 and 3): requests whose
 * reply subject names someone else's subject (the team's, a victim's events, a
 * victim's inbox), a `device.list` made expensive by junk commits, and a flood
 * of concurrent requests from one principal (over NATS and HTTP), and what a
 * legitimate client sees of the limits.
 */
import { randomBytes } from "node:crypto";
import { createDeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import { type EpochCommit, type RpcReply, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { agentSession, openSession, type RawNats, rawNats } from "./kit.js";

let stack: TestStack;
let guest: RawNats;
let agent: RawNats;
let victim: RawNats;
let convId: string;

const random = (bytes: number) => randomBytes(bytes).toString("base64url");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A plaintext envelope (`alg: "none"`) with `bytes` random bytes of "ciphertext". */
const plainEnvelope = (conv: string, bytes = 64) => ({
  v: 1,
  convId: conv,
  epoch: 0,
  msgId: random(16),
  senderDevice: "d_attack",
  ts: Date.now(),
  alg: "none",
  nonce: "",
  ct: random(bytes),
  sig: "",
});

beforeAll(async () => {
  stack = await startStack();
  guest = await rawNats(stack, await openSession(stack));
  agent = await rawNats(stack, await agentSession(stack));
  victim = await rawNats(stack, await openSession(stack));
  const opened = await guest.rpc("conv.open", {});
  if (!opened.ok) throw new Error("conv.open failed");
  convId = (opened.result as { conversation: { id: string } }).conversation.id;
  for (let i = 0; i < 5; i++) {
    await guest.rpc("msg.send", {
      convId,
      envelope: plainEnvelope(convId, 9000),
    });
  }
});
afterAll(async () => {
  for (const c of [guest, agent, victim]) await c?.close();
  await stack?.[Symbol.asyncDispose]();
});

/** Counts the bytes and messages arriving on `subject` through `raw` from now on. */
function countBytes(raw: RawNats, subject: string): { bytes: () => number; messages: () => number } {
  let bytes = 0;
  let messages = 0;
  raw.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      bytes += msg.data.length;
      messages++;
    },
  });
  return { bytes: () => bytes, messages: () => messages };
}

/** Resolves the milliseconds `work` took, or `undefined` when it had not settled within `ms`. */
async function answeredWithin(work: Promise<unknown>, ms: number): Promise<number | undefined> {
  const started = performance.now();
  const done = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    sleep(ms).then(() => false),
  ]);
  return done ? Math.round(performance.now() - started) : undefined;
}

/**
 * Runs `work` while probing, every 100 ms, another guest's `msg.history` and `/healthz`: each probe
 * either answers within 2 s (its milliseconds) or counts as unanswered (`undefined`).
 */
async function probeWhile<T>(
  work: Promise<T>,
): Promise<{ replies: T; history: Array<number | undefined>; health: Array<number | undefined> }> {
  let settled = false;
  const done = work.finally(() => {
    settled = true;
  });
  const history: Array<number | undefined> = [];
  const health: Array<number | undefined> = [];
  do {
    const [h, z] = await Promise.all([
      answeredWithin(guest.rpc("msg.history", { convId, limit: 50 }, { timeout: 10_000 }), 2000),
      answeredWithin(
        fetch(`${stack.url}/healthz`).then((r) => r.text()),
        2000,
      ),
    ]);
    history.push(h);
    health.push(z);
    await sleep(100);
  } while (!settled);
  return { replies: await done, history, health };
}

/** The slowest probe, or "> 2000" when one did not answer in time. */
const worst = (ms: Array<number | undefined>) =>
  ms.some((m) => m === undefined) ? "> 2000" : String(Math.max(...(ms as number[])));

for (const [name, target] of [
  ["the shop's team subject", () => ({ subject: subjects.team(SHOP_ID), listener: agent })],
  ["a victim's event subject", () => ({ subject: subjects.user(victim.principal), listener: victim })],
  ["a victim's inbox", () => ({ subject: `${subjects.inboxPrefix(victim.principal)}.stolen`, listener: victim })],
] as const) {
  attack(
    {
      area: "rpc",
      attack: `guest aims msg.history replies at ${name}`,
      expected: "dropped and counted, 0 bytes to the target, the op does not run; own inbox still answered",
    },
    async (row) => {
      const { subject, listener } = target();
      const seen = countBytes(listener, subject);
      await listener.nc.flush();
      const droppedBefore = stack.gateway.rpcStats().foreignReplies;
      const rounds = 20;
      for (let i = 0; i < rounds; i++) guest.publish("msg.history", { convId, limit: 50 }, subject);
      await guest.nc.flush();
      // The guest's own request after the attack is answered, so every earlier one was handled by then.
      const own = await guest.rpc("msg.history", { convId, limit: 1 });
      await sleep(200);
      const dropped = stack.gateway.rpcStats().foreignReplies - droppedBefore;
      row.observed(
        `${seen.bytes()} bytes in ${seen.messages()} messages reached the target, ${dropped} of ${rounds} dropped, own inbox answered: ${own.ok}`,
      );
      expect(seen.bytes()).toBe(0);
      expect(dropped).toBe(rounds);
      expect(own.ok).toBe(true);
    },
  );
}

attack(
  {
    area: "rpc",
    attack: "guest sends a request with a foreign reply subject that would have side effects (conv.open)",
    expected: "the op does not run: no conversation is opened",
  },
  async (row) => {
    const before = await guest.rpc("conv.list", { limit: 200 });
    const count = (r: RpcReply) => (r.ok ? (r.result as { conversations: unknown[] }).conversations.length : -1);
    for (let i = 0; i < 5; i++) guest.publish("conv.open", {}, subjects.user(victim.principal));
    // And one without any reply subject (fire-and-forget): dropped too.
    guest.publish("conv.open", {});
    await guest.nc.flush();
    await guest.rpc("time.now", {});
    await sleep(200);
    const after = await guest.rpc("conv.list", { limit: 200 });
    row.observed(`${count(after) - count(before)} conversations opened by 6 requests without the caller's own inbox`);
    expect(count(after) - count(before)).toBe(0);
  },
);

attack(
  {
    area: "rpc",
    attack: "guest names a service-import reply subject (_R_.…), which only bots' requests carry",
    expected:
      "the op does not run (nats-server refuses reserved _R_. replies; the gateway drops one from anyone but a bot)",
  },
  async (row) => {
    const before = stack.gateway.rpcStats().foreignReplies;
    const count = async () => {
      const r = await guest.rpc("conv.list", { limit: 200 });
      return r.ok ? (r.result as { conversations: unknown[] }).conversations.length : -1;
    };
    const convs = await count();
    for (let i = 0; i < 20; i++) guest.publish("conv.open", {}, `_R_.${random(6)}.${random(6)}`);
    await guest.nc.flush();
    await guest.rpc("time.now", {});
    await sleep(200);
    const opened = (await count()) - convs;
    const dropped = stack.gateway.rpcStats().foreignReplies - before;
    row.observed(`${opened} of 20 conv.open requests ran (${dropped} reached the gateway and were dropped)`);
    expect(opened).toBe(0);
  },
);

/** A shapely commit of about 69 KB naming nobody real: what a member may post today for its next epoch. */
function junkCommit(conv: string, epoch: number, committer: string, deviceId: string): EpochCommit {
  return {
    v: 1,
    convId: conv,
    epoch,
    prevHash: epoch === 1 ? "" : random(32),
    committer: { principalId: committer, deviceId },
    members: Array.from({ length: 60 }, () => ({
      principalId: `p_${random(30)}`,
      deviceIds: Array.from({ length: 16 }, () => `d_${random(45)}`),
    })),
    wraps: [],
    teamWrap: "",
    historyPolicy: "none",
    reason: epoch === 1 ? "create" : "rotate",
    ts: Date.now(),
    teamVersion: 0,
    sig: random(64),
    teamSig: "",
  };
}

attack(
  {
    area: "rpc",
    attack: "device.list naming many principals after junk commits in many conversations",
    expected:
      "bounded: at most 32 principals per call (bad_request above), one membership query, no commit parsed; other clients and /healthz answer meanwhile",
  },
  async (row) => {
    const spammer = await rawNats(stack, await openSession(stack));
    try {
      const identity = await createDeviceIdentity();
      const record = await signDeviceRecord(identity, spammer.principal);
      expect((await spammer.rpc("device.register", { record })).ok).toBe(true);
      // 30 conversations with 4 junk commits of ~69 KB each (8 MB of commits).
      let accepted = 0;
      const convs: string[] = [];
      for (let c = 0; c < 30; c++) {
        const opened = await spammer.rpc("conv.open", {});
        if (opened.ok) convs.push((opened.result as { conversation: { id: string } }).conversation.id);
      }
      await Promise.all(
        convs.map(async (conv) => {
          for (let e = 1; e <= 4; e++) {
            const r = await spammer.rpc("epoch.commit", {
              commit: junkCommit(conv, e, spammer.principal, record.deviceId),
            });
            if (r.ok) accepted++;
          }
        }),
      );
      // Strangers to name: real principals the spammer shares nothing with (the session budget per IP allows a few dozen).
      const strangers = await Promise.all(
        Array.from({ length: 32 }, async () => (await openSession(stack)).principal.id),
      );
      const made = Array.from({ length: 256 - strangers.length }, () => `p_${random(24)}`);
      // The spammer fires several at once; meanwhile another guest reads its history and a probe hits /healthz.
      const calls = [
        ...Array.from({ length: 4 }, () =>
          spammer.rpc("device.list", { principalIds: [...strangers, ...made] }, { timeout: 15_000 }),
        ),
        ...Array.from({ length: 4 }, () =>
          spammer.rpc("device.list", { principalIds: strangers }, { timeout: 15_000 }),
        ),
      ];
      const { history, health, replies } = await probeWhile(Promise.all(calls));
      const codes = replies.map((r) => (r.ok ? "ok" : r.error.code));
      const listed = replies.flatMap((r) => (r.ok ? (r.result as { devices: unknown[] }).devices : []));
      row.observed(
        `${accepted} junk commits in ${convs.length} conversations; device.list answers ${codes.join(",")} with ${listed.length} devices; slowest of ${health.length} probes during it: another guest's msg.history ${worst(history)} ms, /healthz ${worst(health)} ms`,
      );
      expect(codes.slice(0, 4).every((c) => c === "bad_request")).toBe(true);
      expect(codes.slice(4).every((c) => c === "ok" || c === "busy")).toBe(true);
      expect(listed).toHaveLength(0);
      expect(history.every((ms) => ms !== undefined)).toBe(true);
      expect(health.every((ms) => ms !== undefined)).toBe(true);
    } finally {
      await spammer.close();
    }
  },
  { timeout: 30_000 },
);

attack(
  {
    area: "rpc",
    attack: "one guest fires 200 concurrent requests",
    expected:
      "at most 8 run at once per principal, the rest answered busy (retryAfter, nothing ran); another client and /healthz keep answering",
  },
  async (row) => {
    const flooder = await rawNats(stack, await openSession(stack));
    try {
      const flood = Array.from({ length: 200 }, () =>
        flooder.rpc("msg.history", { convId: "cv_nonexistent", limit: 100 }, { timeout: 10_000 }),
      );
      const { history, health, replies } = await probeWhile(Promise.all(flood));
      const codes = new Map<string, number>();
      let retryAfter = 0;
      for (const r of replies) {
        const code = r.ok ? "ok" : r.error.code;
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (!r.ok && r.error.code === "busy" && (r.error.retryAfter ?? 0) > 0) retryAfter++;
      }
      const limited = codes.get("busy") ?? 0;
      row.observed(
        `${[...codes].map(([c, n]) => `${n} ${c}`).join(", ")} (${retryAfter} with retryAfter); slowest of ${health.length} probes during it: another guest's msg.history ${worst(history)} ms, /healthz ${worst(health)} ms`,
      );
      expect(limited).toBeGreaterThan(0);
      expect(retryAfter).toBe(limited);
      expect((codes.get("not_found") ?? 0) + limited).toBe(200);
      expect(history.every((ms) => ms !== undefined)).toBe(true);
      expect(health.every((ms) => ms !== undefined)).toBe(true);
    } finally {
      await flooder.close();
    }
  },
);

attack(
  {
    area: "rpc",
    attack: "two tabs of one customer (SDK clients) fire 40 requests each at once",
    expected: "every request answered ok: the SDK keeps 8 in flight per client and retries busy itself",
  },
  async (row) => {
    const tabs = [stack.customer("rpc-bounds-tabs"), stack.customer("rpc-bounds-tabs")];
    await Promise.all(tabs.map((t) => t.connect()));
    try {
      const conv = await tabs[0]?.openConversation();
      const before = stack.gateway.rpcStats().refusedPrincipal;
      const results = await Promise.allSettled(
        tabs.flatMap((t) =>
          Array.from({ length: 40 }, (_, i) =>
            i % 2 === 0
              ? t.request("conv.get", { convId: conv?.id ?? "" })
              : t.request("msg.history", { convId: conv?.id ?? "", limit: 50 }),
          ),
        ),
      );
      const ok = results.filter((r) => r.status === "fulfilled").length;
      const refused = stack.gateway.rpcStats().refusedPrincipal - before;
      row.observed(`${ok} of ${results.length} ok; the gateway answered busy ${refused} times, retried by the SDK`);
      expect(ok).toBe(results.length);
    } finally {
      await Promise.all(tabs.map((t) => t.close()));
    }
  },
);

attack(
  {
    area: "rpc",
    attack: "one guest fires 60 concurrent POST /v1/rpc requests",
    expected: "the same per-principal limit as over NATS: the excess answered 503 busy with Retry-After",
  },
  async (row) => {
    const session = await openSession(stack);
    const headers = { "content-type": "application/json", authorization: `Bearer ${session.apiToken}` };
    const opened = await fetch(`${stack.url}/v1/rpc/conv.open`, { method: "POST", headers, body: "{}" });
    const conv = ((await opened.json()) as { result: { conversation: { id: string } } }).result.conversation.id;
    // Sends wait for the store's writer, so requests that arrive together overlap.
    const call = () =>
      fetch(`${stack.url}/v1/rpc/msg.send`, {
        method: "POST",
        headers,
        body: JSON.stringify({ convId: conv, envelope: plainEnvelope(conv) }),
      }).then(async (res) => ({
        status: res.status,
        retryAfter: res.headers.get("retry-after"),
        code: ((await res.json()) as { error?: { code?: string } }).error?.code ?? "ok",
      }));
    const replies = await Promise.all(Array.from({ length: 60 }, call));
    const codes = new Map<string, number>();
    for (const r of replies) codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
    const busy = replies.filter((r) => r.code === "busy");
    row.observed(`${[...codes].map(([c, n]) => `${n} ${c}`).join(", ")}`);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((r) => r.status === 503 && r.retryAfter === "1")).toBe(true);
    expect((codes.get("ok") ?? 0) + busy.length).toBe(60);
  },
);
