/**
 * Attack rows for replies that cannot fit (issue 17, item 4): a conversation
 * of envelopes at the largest allowed ciphertext (65,536 characters), then
 * `msg.history` with limit 4 and 50 and `msg.since` over NATS, raw and through
 * the SDK, for a member and for the shop's team. Before the gateway paged by
 * bytes, a reply of four such messages was over nats-server's `max_payload`
 * and never came: history and catch-up timed out for the whole conversation.
 * Now every page answers, and following `hasMore` from the last seq yields
 * every message exactly once.
 */
import type { ParleyClient } from "@parley/sdk";
import { subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { REPLY_BUDGET_BYTES } from "../../src/service/paging.js";
import { type AttackRecorder, attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { waitFor } from "../helpers.js";
import { openSession, type RawNats, rawNats } from "./kit.js";
import { bigText, pageMessages, range, rawAgent } from "./paging-kit.js";

/** Messages at the largest ciphertext: four already made a reply over nats-server's 256 KiB. */
const BIG = 8;
/** The first half of the large ones are each followed by this many short ones, so pages hold several messages too. */
const SMALL_AFTER_EACH = 5;
/** Every message of the main conversation: interleaved, then the newest four large ones in a row. */
const TOTAL = BIG + (BIG / 2) * SMALL_AFTER_EACH;

let stack: TestStack;
/** The principals whose events the gateway drops while set (a client "offline" for exactly those). */
const dropped = new Set<string>();
let author: ParleyClient;
let convId: string;
const others: ParleyClient[] = [];
const raws: RawNats[] = [];
/** Clients of the offline rows that connected again since the row began. */
let reconnects = 0;
/** The main conversation's texts, in seq order. */
const sentTexts: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    failpoints: { dropPublish: (subject) => dropped.has(subject) },
  });
  author = stack.customer("big-author");
  await author.connect();
  convId = (await author.openConversation()).id;
  for (let i = 1; i <= BIG; i++) {
    sentTexts.push(bigText(i));
    for (let j = 1; i <= BIG / 2 && j <= SMALL_AFTER_EACH; j++) sentTexts.push(`small ${i}.${j}`);
  }
  for (const text of sentTexts) await author.send(convId, text);
});
afterAll(async () => {
  for (const c of [author, ...others]) await c?.close().catch(() => undefined);
  for (const r of raws) await r.close();
  await stack?.[Symbol.asyncDispose]();
});

async function raw(who: "member" | "team"): Promise<RawNats> {
  const r =
    who === "team"
      ? await rawAgent(stack)
      : await rawNats(
          stack,
          await openSession(stack, { token: await stack.customerToken("big-author", "big-author") }),
        );
  raws.push(r);
  return r;
}

for (const who of ["member", "team"] as const) {
  for (const [op, limit] of [
    ["msg.history", 4],
    ["msg.history", 50],
    ["msg.since", undefined],
    ["msg.since", 500],
  ] as const) {
    attack(
      {
        area: "rpc",
        attack: `raw ${op} limit ${limit ?? "default"} as the ${who}: ${BIG} messages of 64 KiB ciphertext among ${TOTAL}`,
        expected: `every page answers within nats max_payload (budget ${REPLY_BUDGET_BYTES} bytes), each message once`,
      },
      async (row) => {
        const r = await raw(who);
        const { keys: seqs, sizes, failure } = await pageMessages(r, convId, op, limit, 2 * TOTAL);
        row.observed(
          `${sizes.length} page(s) of ${sizes.join("/") || "-"} bytes, ${seqs.length} messages, ${new Set(seqs).size} distinct, failure: ${failure ?? "none"}`,
        );
        expect(failure).toBeUndefined();
        expect(op === "msg.history" ? [...seqs].reverse() : seqs).toEqual(range(1, TOTAL));
        for (const size of sizes) expect(size).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
      },
    );
  }
}

for (const who of ["member", "team"] as const) {
  attack(
    {
      area: "rpc",
      attack: `SDK ${who} loads a conversation with ${BIG} messages of 64 KiB ciphertext among ${TOTAL}, then every older page`,
      expected: "every page answers; all messages loaded once",
    },
    async (row) => {
      const client = who === "team" ? stack.agent() : stack.customer("big-author");
      others.push(client);
      await client.connect();
      let pages = 0;
      let failure: string | undefined;
      try {
        await client.loadConversation(convId);
        pages++;
        while (client.conversation(convId).value.hasOlder && pages < 2 * TOTAL) {
          await client.loadOlder(convId, 50);
          pages++;
        }
      } catch (err) {
        failure = (err as Error).message;
      }
      const loaded = client.conversation(convId).value.messages;
      const seqs = loaded.map((m) => m.seq);
      row.observed(`${pages} page(s), ${seqs.length} messages loaded, failure: ${failure ?? "none"}`);
      expect(failure).toBeUndefined();
      expect(seqs).toEqual(range(1, TOTAL));
      expect(loaded.map((m) => (m.body?.type === "text" ? m.body.text : "?"))).toEqual(sentTexts);
      await client.close();
    },
  );
}

/**
 * A member's second device and the team follow a conversation, miss BIG messages of the largest
 * ciphertext (their events dropped), then come back by `comeBack` and catch up with `msg.since`.
 */
async function offlineCatchUp(row: AttackRecorder, comeBack: () => Promise<void>): Promise<void> {
  const member = stack.customer("big-author");
  const agent = stack.agent();
  others.push(member, agent);
  await Promise.all([member.connect(), agent.connect()]);
  // A conversation of its own, so only catching up (msg.since) is exercised here.
  const conv = (await author.openConversation()).id;
  await author.send(conv, "small first");
  await Promise.all([member.loadConversation(conv), agent.loadConversation(conv)]);
  const events = new Map<ParleyClient, number[]>([
    [member, []],
    [agent, []],
  ]);
  reconnects = 0;
  for (const client of [member, agent]) {
    client.on("status", (st) => {
      if (st.state === "connected") reconnects++;
    });
  }
  const errors: string[] = [];
  for (const client of [member, agent])
    client.on("error", (e) => errors.push(`${client === agent ? "team" : "member"}: ${e.message}`));
  for (const [client, seen] of events) {
    client.on("message", ({ conversationId, message }) => {
      if (conversationId === conv) seen.push(message.seq);
    });
  }
  // The member's and the team's events are lost from here on: both are "offline" for this conversation.
  dropped.add(subjects.user(member.principal.id));
  dropped.add(subjects.team(SHOP_ID));
  for (let i = 2; i <= BIG + 1; i++) await author.send(conv, bigText(i));
  dropped.clear();
  await comeBack();
  let failure: string | undefined;
  try {
    await waitFor(() => [...events.values()].every((seen) => seen.length >= BIG), "both clients to catch up", 12_000);
  } catch (err) {
    failure = (err as Error).message;
  }
  const [m, a] = [events.get(member) ?? [], events.get(agent) ?? []];
  row.observed(
    `member caught up ${m.length} (${new Set(m).size} distinct), team ${a.length} (${new Set(a).size} distinct) of ${BIG}; failure: ${failure ?? "none"}; errors: ${errors.join("; ") || "none"}`,
  );
  expect(failure).toBeUndefined();
  expect([...m].sort((x, y) => x - y)).toEqual(range(2, BIG + 1));
  expect([...a].sort((x, y) => x - y)).toEqual(range(2, BIG + 1));
  for (const client of [member, agent]) {
    expect(client.conversation(conv).value.messages.map((msg) => msg.seq)).toEqual(range(1, BIG + 1));
  }
  await Promise.all([member.close(), agent.close()]);
}

for (const [how, comeBack] of [
  ["reconnect after a nats-server restart", () => stack.nats.restart()],
  [
    "reconnect before the gateway is back",
    async () => {
      // No gateway answers while the clients reconnect: their first catch-up requests find no responders.
      await stack.gateway.stop();
      await stack.nats.restart();
      await waitFor(() => reconnects >= 2, "both clients to reconnect");
      await stack.restartGateway();
    },
  ],
] as const) {
  attack(
    {
      area: "rpc",
      attack: `SDK member and team offline while ${BIG} messages of 64 KiB ciphertext arrive, then ${how}`,
      expected:
        "catch-up (msg.since) pages by bytes, retried until a gateway answers; each client gets every message once",
    },
    (row) => offlineCatchUp(row, comeBack),
    { timeout: 20_000 },
  );
}
