/**
 * Attack rows for list replies other than messages that could outgrow one NATS
 * message (issue 17, item 4): internal notes at the largest ciphertext
 * (`note.list`, paged back with `before`), and a flood of pending invites
 * (`invite.list`, at most 50). See reply-size.test.ts for messages.
 */
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { INVITE_LIST_LIMIT } from "../../src/service/invites.js";
import { REPLY_BUDGET_BYTES } from "../../src/service/paging.js";
import { attack } from "../harness/attack.js";
import { startStack, type TestStack } from "../harness/stack.js";
import { customerWithHandle, waitFor } from "../helpers.js";
import { openSession, type RawNats, rawNats } from "./kit.js";
import { pageNotes, rawAgent } from "./paging-kit.js";

/** Notes at nearly the largest ciphertext: four made a reply over nats-server's 256 KiB. */
const BIG = 8;

let stack: TestStack;
let author: ParleyClient;
const others: ParleyClient[] = [];
const raws: RawNats[] = [];

beforeAll(async () => {
  // The invite flood is about the size of the list, not the handle-probe limits.
  stack = await startStack({ env: { PARLEY_HANDLE_PROBE_RATE: "100000", PARLEY_HANDLE_PROBE_IP_RATE: "100000" } });
  author = stack.customer("lists-author");
  await author.connect();
});
afterAll(async () => {
  for (const c of [author, ...others]) await c?.close().catch(() => undefined);
  for (const r of raws) await r.close();
  await stack?.[Symbol.asyncDispose]();
});

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
        const r = await rawAgent(stack);
        raws.push(r);
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
  /** What `invite.list` answers at most (INVITE_LIST_LIMIT, docs/protocol.md). */
  const LISTED = 50;
  /** More invites than that. */
  const FLOOD = LISTED + 10;

  beforeAll(async () => {
    const flooder = stack.customer("invite-flooder");
    others.push(flooder);
    await flooder.connect();
    others.push((await customerWithHandle(stack, "invite-victim", "victim")).client);
    for (let i = 0; i < FLOOD; i++) {
      const conv = await flooder.openConversation();
      await flooder.invite(conv.id, "victim");
    }
  });

  attack(
    {
      area: "rpc",
      attack: `${FLOOD} pending invites to one principal (one per conversation), then invite.list`,
      expected: `the newest ${LISTED} with hasMore, within the reply budget; the next shows once one is answered`,
    },
    async (row) => {
      const r = await rawNats(stack, await openSession(stack, { token: await stack.customerToken("invite-victim") }));
      raws.push(r);
      const reply = await r.rpc("invite.list", {}, { timeout: 3000 });
      if (!reply.ok) throw new Error(reply.error.code);
      const listed = reply.result as { invites: Array<{ id: string }>; hasMore?: boolean };
      const bytes = JSON.stringify(reply).length;
      const said = `${listed.invites.length} of ${FLOOD} listed in ${bytes} bytes, hasMore: ${listed.hasMore}`;
      row.observed(said);
      expect(listed.invites).toHaveLength(LISTED);
      expect(listed.hasMore).toBe(true);
      expect(bytes).toBeLessThanOrEqual(REPLY_BUDGET_BYTES + 16 * 1024);

      // A client connecting now loads the bounded list; answering one brings the next in.
      const fresh = stack.customer("invite-victim");
      others.push(fresh);
      await fresh.connect();
      await waitFor(() => fresh.invites.value.length > 0, "the inbox to load");
      const before = new Set(fresh.invites.value.map((i) => i.id));
      await fresh.declineInvite(fresh.invites.value[0]?.id ?? "");
      await waitFor(
        () => fresh.invites.value.length === LISTED && fresh.invites.value.some((i) => !before.has(i.id)),
        "the next waiting invite to show",
      );
      row.observed(`${said}; inbox ${before.size}, after one answer ${fresh.invites.value.length} with a new one`);
      expect(before.size).toBe(LISTED);
      expect(INVITE_LIST_LIMIT).toBe(LISTED);
    },
  );
});
