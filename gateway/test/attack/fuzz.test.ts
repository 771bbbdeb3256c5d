/**
 * A randomised protocol fuzzer (fast-check) against the real stack: a guest
 * sends malformed and hostile RPC traffic over its NATS connection and over
 * HTTP for a bounded count and time, while a customer and the agent keep
 * talking. Asserted: every request is answered, every error carries a stable
 * code and none is a 5xx, the gateway logged no failed request, its heap
 * stays bounded, and the legitimate conversation loses and duplicates nothing.
 *
 * The seed is printed in the row's observation; `PARLEY_FUZZ_SEED` replays a
 * run, `PARLEY_FUZZ_RUNS` changes its length (default 1,500 requests per transport).
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { ErrorCodes, isErrorCode, type RpcReply, rpcRequestSchemas } from "@parley/sdk/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { collectTexts, waitFor } from "../helpers.js";
import { openSession, postJson, type RawNats, rawNats } from "./kit.js";

const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.PARLEY_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Requests in flight at once: enough to interleave, under the per-principal concurrency cap. */
const PARALLEL = 4;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

let stack: TestStack;
let fuzzer: RawNats;
let ownConv = "";
let otherConv = "";

beforeAll(async () => {
  stack = await startStack();
  fuzzer = await rawNats(stack, await openSession(stack));
  const opened = await fuzzer.rpc("conv.open", {});
  if (!opened.ok) throw new Error("the fuzzer could not open its own conversation");
  ownConv = (opened.result as { conversation: { id: string } }).conversation.id;
});
afterAll(async () => {
  await fuzzer?.close();
  await stack?.[Symbol.asyncDispose]();
});

const ops = Object.keys(rpcRequestSchemas);
const fields = [
  "convId",
  "limit",
  "after",
  "before",
  "handle",
  "principalIds",
  "principalId",
  "envelope",
  "commit",
  "record",
  "inviteId",
  "seq",
  "active",
  "conn",
  "version",
  "wrap",
  "history",
  "assignee",
  "text",
  "displayName",
  "__proto__",
  "constructor",
  "$where",
  "a.b",
];

/** Values meant to break validation, the store and the subjects a value may reach. */
function hostileValue(): fc.Arbitrary<unknown> {
  const ids = fc
    .constantFrom(
      () => ownConv,
      () => otherConv,
    )
    .map((get) => get());
  const strings = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom("*", ">", "a.b", "..", " ", "\u202e", "\u0000", "$gt", "__proto__", "null", "ü".repeat(30)),
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.nat({ max: 90_000 }).map((n) => "x".repeat(n)),
  );
  const numbers = fc.oneof(
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, 0, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER + 2),
  );
  const operators = fc.constantFrom({ $gt: "" }, { $ne: null }, { $where: "1" }, { "a.b": 1 }, { __proto__: { x: 1 } });
  return fc.oneof(ids, strings, numbers, fc.boolean(), fc.constant(null), operators, fc.jsonValue({ maxDepth: 4 }));
}

/** Bodies that pass validation, per op, so the fuzzer also reaches the logic behind the schemas. */
const templates = (): Array<[string, Record<string, unknown>]> => [
  ["conv.list", { limit: 5 }],
  ["conv.get", { convId: ownConv }],
  ["member.history", { convId: ownConv }],
  ["msg.history", { convId: ownConv, limit: 5 }],
  ["msg.since", { convId: ownConv, after: 0 }],
  ["msg.history", { convId: otherConv, limit: 50 }],
  ["note.list", { convId: ownConv }],
  ["epoch.list", { convId: ownConv }],
  ["signal.typing", { convId: ownConv, active: true }],
  ["signal.read", { convId: ownConv, seq: 0 }],
  ["handle.check", { handle: "fuzzer" }],
  ["handle.lookup", { convId: ownConv, handle: "ada" }],
  ["profile.get", {}],
  ["profile.update", { displayName: "Fuzz" }],
  ["device.list", { principalIds: [fuzzer.principal] }],
  ["invite.list", {}],
  ["invite.history", { convId: ownConv }],
  ["block.list", {}],
  ["keys.backup.list", {}],
  ["team.get", { shopId: SHOP_ID }],
  ["time.now", {}],
  ["presence.get", {}],
  ["call.ice", {}],
];
/** A valid request with at most two of its fields (or new ones) replaced by hostile values. */
const nearlyValid = fc
  .tuple(fc.nat(), fc.array(fc.tuple(fc.constantFrom(...fields), hostileValue()), { maxLength: 2 }))
  .map(([pick, overrides]) => {
    const all = templates();
    const [name, template] = all[pick % all.length] ?? ["time.now", {}];
    const base: Record<string, unknown> = { ...template };
    for (const [key, value] of overrides) {
      Object.defineProperty(base, key, { value, enumerable: true, configurable: true, writable: true });
    }
    return { op: name, body: base as unknown };
  });

/** A body: a record of plausible and odd field names, any JSON, or something that is not JSON at all. */
const body: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...fields), hostileValue(), { maxKeys: 5 }) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom("{oops", "\u0000\u0001", "[".repeat(5000), '{"convId":') },
  { weight: 1, arbitrary: fc.nat({ max: 120_000 }).map((n) => JSON.stringify({ pad: "y".repeat(n) })) },
);
const op = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...ops) },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z]{1,12}(\.[a-z]{1,8})?$/) },
);
const request = fc.oneof(fc.record({ op, body }), nearlyValid);

/** Runs `count` generated requests through `send`, `PARALLEL` at a time; answers the failures. */
async function fuzz(
  seed: number,
  count: number,
  send: (op: string, body: unknown) => Promise<{ status: number; reply: unknown }>,
): Promise<{ answered: number; codes: Map<string, number>; bad: string[] }> {
  const samples = fc.sample(request, { seed, numRuns: count });
  const codes = new Map<string, number>();
  const bad: string[] = [];
  let answered = 0;
  let next = 0;
  const worker = async () => {
    while (next < samples.length) {
      const sample = samples[next++];
      if (!sample) break;
      const what = `${sample.op} ${JSON.stringify(sample.body)?.slice(0, 120)}`;
      let outcome: { status: number; reply: unknown };
      try {
        outcome = await send(sample.op, sample.body);
      } catch (err) {
        // nats.js refuses to publish over the server's max_payload: the limit held before the gateway saw it.
        if (/max_payload/.test((err as Error).message)) {
          codes.set("max_payload (client)", (codes.get("max_payload (client)") ?? 0) + 1);
          answered++;
        } else bad.push(`${what}: no answer (${(err as Error).message})`);
        continue;
      }
      answered++;
      const reply = outcome.reply as RpcReply | undefined;
      if (reply?.ok === true) {
        codes.set("ok", (codes.get("ok") ?? 0) + 1);
        continue;
      }
      const code = reply && reply.ok === false ? reply.error?.code : undefined;
      if (typeof code !== "string" || !isErrorCode(code)) {
        bad.push(`${what}: no stable code in ${JSON.stringify(outcome.reply)?.slice(0, 200)}`);
        continue;
      }
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (ErrorCodes[code].status >= 500 || outcome.status >= 500) bad.push(`${what}: ${code} (${outcome.status})`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { answered, codes, bad };
}

const summary = (codes: Map<string, number>) =>
  [...codes]
    .sort((a, b) => b[1] - a[1])
    .map(([code, n]) => `${code} ${n}`)
    .join(", ");

attack(
  {
    area: "fuzz",
    attack: `${RUNS} random hostile RPCs over NATS and ${RUNS} over HTTP while a conversation goes on`,
    expected: "all answered, stable codes, no 5xx, no failed request logged, heap bounded, 0 lost or duplicated",
  },
  async (row) => {
    const customer = stack.customer("fuzz-bystander");
    const agent = stack.agent();
    await Promise.all([customer.connect(), agent.connect()]);
    otherConv = (await customer.openConversation()).id;
    await agent.loadConversation(otherConv);
    const seen = collectTexts(agent);
    let sent = 0;
    let talking = true;
    const talk = (async () => {
      while (talking) {
        await customer.send(otherConv, `legit ${sent++}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    const heapBefore = heapMb();
    const overNats = await fuzz(SEED, RUNS, async (name, b) => {
      const payload = typeof b === "string" ? b : JSON.stringify(b);
      const msg = await fuzzer.nc.request(`api.${fuzzer.principal}.${name}`, new TextEncoder().encode(payload), {
        timeout: 8000,
      });
      return { status: 200, reply: JSON.parse(new TextDecoder().decode(msg.data)) };
    });
    const overHttp = await fuzz(SEED + 1, RUNS, async (name, b) => {
      const res = await postJson(
        stack,
        `/v1/rpc/${encodeURIComponent(name)}`,
        typeof b === "string" ? b : JSON.stringify(b),
        {
          authorization: `Bearer ${fuzzer.session.apiToken}`,
        },
      );
      // HTTP answers errors as { error } with the status; successes as the result.
      const reply = res.status < 300 ? { ok: true } : { ok: false, error: (res.body as { error?: unknown }).error };
      return { status: res.status, reply };
    });
    talking = false;
    await talk;
    await waitFor(() => seen.get(otherConv)?.length === sent, `the agent gets all ${sent} legitimate messages`, 20_000);
    const heapAfter = heapMb();
    const failedLogs = stack
      .logs()
      .split("\n")
      .filter(
        (line) => line.includes('"request failed"') || line.includes('"level":50') || line.includes('"level":60'),
      );
    const texts = seen.get(otherConv) ?? [];
    const growth = heapAfter - heapBefore;
    row.observed(
      `seed ${SEED}: NATS ${overNats.answered}/${RUNS} answered (${summary(overNats.codes)}); ` +
        `HTTP ${overHttp.answered}/${RUNS} answered (${summary(overHttp.codes)}); ` +
        `${overNats.bad.length + overHttp.bad.length} bad replies, ${failedLogs.length} failed requests logged, ` +
        `heap ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MB; bystander ${texts.length}/${sent} delivered, ` +
        `${texts.length - new Set(texts).size} duplicated`,
    );
    expect(overNats.bad).toEqual([]);
    expect(overHttp.bad).toEqual([]);
    expect(failedLogs).toEqual([]);
    expect(growth).toBeLessThan(64);
    expect(new Set(texts).size).toBe(sent);
    await Promise.all([customer.close(), agent.close()]);
  },
  { timeout: 180_000 },
);
