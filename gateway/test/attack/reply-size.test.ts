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
import { afterAll, beforeAll, describe, expect } from "vitest";
import { INVITE_LIST_LIMIT } from "../../src/service/invites.js";
import { REPLY_BUDGET_BYTES } from "../../src/service/paging.js";
import { attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { customerWithHandle, waitFor } from "../helpers.js";
import { openSession, type RawNats, rawNats } from "./kit.js";
import { bigText, pageMessages, pageNotes, range, rawAgent } from "./paging-kit.js";

/** Messages at the largest ciphertext: four already made a reply over nats-server's 256 KiB. */
const BIG = 6;
/** Short messages after each large one, so that pages hold several messages too. */
const SMALL_AFTER_EACH = 5;
/** Every message of the main conversation. */
const TOTAL = BIG * (1 + SMALL_AFTER_EACH);

let stack: TestStack;
/** The principals whose events the gateway drops while set (a client "offline" for exactly those). */
const dropped = new Set<string>();
let author: ParleyClient;
let convId: string;
const others: ParleyClient[] = [];
const raws: RawNats[] = [];
/** The main conversation's texts, in seq order. */
const sentTexts: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    failpoints: { dropPublish: (subject) => dropped.has(subject) },
    // The invite flood below is about the size of the list, not the handle-probe limits.
    env: { PARLEY_HANDLE_PROBE_RATE: "100000", PARLEY_HANDLE_PROBE_IP_RATE: "100000" },
  });
  author = stack.customer("big-author");
  await author.connect();
  convId = (await author.openConversation()).id;
  for (let i = 1; i <= BIG; i++) {
    sentTexts.push(bigText(i));
    for (let j = 1; j <= SMALL_AFTER_EACH; j++) sentTexts.push(`small ${i}.${j}`);
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

attack(
  {
    area: "rpc",
    attack: `SDK member and team offline while ${BIG} more messages of 64 KiB ciphertext arrive, then reconnect`,
    expected: "catch-up (msg.since) pages by bytes; each client gets every message once",
  },
  async (row) => {
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
    await stack.nats.restart();
    let failure: string | undefined;
    try {
      await waitFor(() => [...events.values()].every((seen) => seen.length >= BIG), "both clients to catch up", 12_000);
    } catch (err) {
      failure = (err as Error).message;
    }
    const [m, a] = [events.get(member) ?? [], events.get(agent) ?? []];
    row.observed(
      `member caught up ${m.length} (${new Set(m).size} distinct), team ${a.length} (${new Set(a).size} distinct) of ${BIG}; failure: ${failure ?? "none"}`,
    );
    expect(failure).toBeUndefined();
    expect([...m].sort((x, y) => x - y)).toEqual(range(2, BIG + 1));
    expect([...a].sort((x, y) => x - y)).toEqual(range(2, BIG + 1));
    for (const client of [member, agent]) {
      expect(client.conversation(conv).value.messages.map((msg) => msg.seq)).toEqual(range(1, BIG + 1));
    }
  },
  { timeout: 20_000 },
);

/** Notes at nearly the largest ciphertext (the team's notes key seals and pads them like messages). */
const bigNote = (i: number) => `note ${i} `.padEnd(45_000, "n");

describe("internal notes", () => {
  let ada: ParleyClient;
  let noteConv: string;
  const noteTexts: string[] = [];

  beforeAll(async () => {
    // The admin agent's encrypted device makes the shop's team key, which seals the notes.
    ada = stack.agent({ encryption: true });
    others.push(ada);
    await ada.connect();
    noteConv = (await author.openConversation()).id;
    for (let i = 1; i <= BIG; i++) noteTexts.push(bigNote(i), `short note ${i}`);
    for (const text of noteTexts) await ada.addNote(noteConv, text);
  });

  for (const limit of [200, undefined]) {
    attack(
      {
        area: "rpc",
        attack: `raw note.list limit ${limit ?? "default"}: ${BIG} notes of ~60 KiB ciphertext among ${2 * BIG}`,
        expected: `every page answers (budget ${REPLY_BUDGET_BYTES} bytes), following before yields each note once`,
      },
      async (row) => {
        const r = await raw("team");
        const { keys: ids, sizes, failure } = await pageNotes(r, noteConv, limit, 4 * BIG);
        row.observed(
          `${sizes.length} page(s) of ${sizes.join("/") || "-"} bytes, ${ids.length} notes, ${new Set(ids).size} distinct, failure: ${failure ?? "none"}`,
        );
        expect(failure).toBeUndefined();
        expect(ids).toHaveLength(noteTexts.length);
        expect(new Set(ids).size).toBe(noteTexts.length);
        for (const size of sizes) expect(size).toBeLessThanOrEqual(REPLY_BUDGET_BYTES + 16 * 1024);
      },
    );
  }

  attack(
    {
      area: "rpc",
      attack: `SDK agent lists the notes of a conversation with ${BIG} notes of ~60 KiB ciphertext`,
      expected: "answers; every note once, decrypted, oldest first",
    },
    async (row) => {
      let failure: string | undefined;
      let texts: string[] = [];
      try {
        texts = (await ada.notes(noteConv, 200)).map((n) => n.text);
      } catch (err) {
        failure = (err as Error).message;
      }
      row.observed(`${texts.length} of ${noteTexts.length} notes listed, failure: ${failure ?? "none"}`);
      expect(failure).toBeUndefined();
      expect(texts).toEqual(noteTexts);
    },
  );
});

describe("pending invites", () => {
  /** More invites than `invite.list` answers (INVITE_LIST_LIMIT). */
  const FLOOD = INVITE_LIST_LIMIT + 10;
  let victim: ParleyClient;

  beforeAll(async () => {
    const flooder = stack.customer("invite-flooder");
    others.push(flooder);
    await flooder.connect();
    victim = (await customerWithHandle(stack, "invite-victim", "victim")).client;
    others.push(victim);
    for (let i = 0; i < FLOOD; i++) {
      const conv = await flooder.openConversation();
      await flooder.invite(conv.id, "victim");
    }
  });

  attack(
    {
      area: "rpc",
      attack: `${FLOOD} pending invites to one principal (one per conversation), then invite.list`,
      expected: `the newest ${INVITE_LIST_LIMIT} with hasMore, within the reply budget; the next shows once one is answered`,
    },
    async (row) => {
      const r = await rawNats(stack, await openSession(stack, { token: await stack.customerToken("invite-victim") }));
      raws.push(r);
      const reply = await r.rpc("invite.list", {}, { timeout: 3000 });
      if (!reply.ok) throw new Error(reply.error.code);
      const listed = reply.result as { invites: Array<{ id: string; createdAt: number }>; hasMore?: boolean };
      const bytes = JSON.stringify(reply).length;

      // A client connecting now loads the bounded list; answering one brings the next in.
      const fresh = stack.customer("invite-victim");
      others.push(fresh);
      await fresh.connect();
      await waitFor(() => fresh.invites.value.length > 0, "the inbox to load");
      const before = new Set(fresh.invites.value.map((i) => i.id));
      const answered = fresh.invites.value[0]?.id ?? "";
      await fresh.declineInvite(answered);
      await waitFor(
        () => fresh.invites.value.length === INVITE_LIST_LIMIT && fresh.invites.value.some((i) => !before.has(i.id)),
        "the next waiting invite to show",
      );
      row.observed(
        `${listed.invites.length} of ${FLOOD} listed in ${bytes} bytes, hasMore: ${listed.hasMore}; inbox ${before.size}, after one answer ${fresh.invites.value.length} with a new one`,
      );
      expect(listed.invites).toHaveLength(INVITE_LIST_LIMIT);
      expect(listed.hasMore).toBe(true);
      expect(bytes).toBeLessThanOrEqual(REPLY_BUDGET_BYTES + 16 * 1024);
      expect(before.size).toBe(INVITE_LIST_LIMIT);
    },
  );
});
