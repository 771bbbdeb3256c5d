/**
 * The reply-size attack rows on the MongoDB adapter (FerretDB here, a real
 * MongoDB when MONGODB_URI is set): messages and notes at the largest
 * ciphertext, paged over NATS by `msg.history`, `msg.since` and `note.list`
 * (whose `before` cursor is a store query of its own). See reply-size.test.ts.
 */
import type { ParleyClient } from "@parley/sdk";
import { MAX_CIPHERTEXT_CHARS } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { REPLY_BUDGET_BYTES } from "../../src/service/paging.js";
import { attack } from "../harness/attack.js";
import { type MongoForTests, mongoForTests } from "../harness/ferretdb.js";
import { startStack, type TestStack } from "../harness/stack.js";
import { openSession, type RawNats, rawNats } from "./kit.js";
import { bigText, pageMessages, pageNotes, range, rawAgent } from "./paging-kit.js";

/** Messages (and notes) at the largest ciphertext, each followed by a short one. */
const BIG = 5;
const TOTAL = 2 * BIG;

let mongo: MongoForTests;
let stack: TestStack;
let author: ParleyClient;
let member: RawNats;
let team: RawNats;
let convId: string;

beforeAll(async () => {
  mongo = await mongoForTests();
  stack = await startStack({ mongo: { uri: mongo.uri, dbName: mongo.dbName } });
  author = stack.customer("mongo-big-author");
  await author.connect();
  convId = (await author.openConversation()).id;
  for (let i = 1; i <= BIG; i++) {
    await author.send(convId, bigText(i));
    await author.send(convId, `small ${i}`);
  }
  member = await rawNats(stack, await openSession(stack, { token: await stack.customerToken("mongo-big-author") }));
  team = await rawAgent(stack);
  // Notes as a team member's raw client could send them: the gateway stores envelopes it cannot open.
  for (let i = 1; i <= TOTAL; i++) {
    const id = `note_${String(i).padStart(12, "0")}`;
    const envelope = {
      v: 1,
      convId,
      epoch: 1,
      msgId: id,
      senderDevice: "d_raw",
      ts: Date.now(),
      alg: "xc20p-ed25519",
      nonce: "n".repeat(32),
      ct: (i % 2 ? "c" : "s").repeat(i % 2 ? MAX_CIPHERTEXT_CHARS : 100),
      sig: "s".repeat(86),
    };
    const reply = await team.rpc("note.add", { convId, envelope });
    if (!reply.ok) throw new Error(`note.add: ${reply.error.code}`);
  }
});
afterAll(async () => {
  await member?.close();
  await team?.close();
  await author?.close().catch(() => undefined);
  await stack?.[Symbol.asyncDispose]();
  await mongo?.[Symbol.asyncDispose]();
});

for (const [op, limit] of [
  ["msg.history", 50],
  ["msg.since", 500],
] as const) {
  attack(
    {
      area: "rpc",
      attack: `MongoDB store: raw ${op} limit ${limit}, ${BIG} messages of 64 KiB ciphertext among ${TOTAL}`,
      expected: `every page answers (budget ${REPLY_BUDGET_BYTES} bytes), each message once`,
    },
    async (row) => {
      const { keys, sizes, failure } = await pageMessages(member, convId, op, limit, 2 * TOTAL);
      row.observed(
        `${sizes.length} page(s) of ${sizes.join("/")} bytes, ${keys.length} messages, failure: ${failure ?? "none"}`,
      );
      expect(failure).toBeUndefined();
      expect(op === "msg.history" ? [...keys].reverse() : keys).toEqual(range(1, TOTAL));
    },
  );
}

attack(
  {
    area: "rpc",
    attack: `MongoDB store: raw note.list limit 200, ${BIG} notes of 64 KiB ciphertext among ${TOTAL}`,
    expected: "every page answers, following before yields each note once",
  },
  async (row) => {
    const { keys, sizes, failure } = await pageNotes(team, convId, 200, 2 * TOTAL);
    row.observed(
      `${sizes.length} page(s) of ${sizes.join("/")} bytes, ${keys.length} notes, failure: ${failure ?? "none"}`,
    );
    expect(failure).toBeUndefined();
    expect([...keys].sort()).toEqual(range(1, TOTAL).map((i) => `note_${String(i).padStart(12, "0")}`));
  },
);
