/**
 * What the reply-size attack rows share (reply-size.test.ts on the embedded
 * store, reply-size-mongo.test.ts on the MongoDB adapter): texts at the
 * largest ciphertext, the team's raw session, and raw pagers that follow a
 * list's continuation the way a client must, recording every page's size.
 */
import { MAX_CIPHERTEXT_CHARS, type RpcReply, type SessionResponse, type StoredMessage } from "@parley/sdk/protocol";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, type TestStack } from "../harness/stack.js";
import { postJson, type RawNats, rawNats } from "./kit.js";

/** Text whose plaintext envelope (`{"type":"text","text":...}` as base64url) is just under the ciphertext limit. */
export const bigText = (i: number) => `big ${i} `.padEnd(Math.floor((MAX_CIPHERTEXT_CHARS * 3) / 4) - 26, "x");

/** from..to, inclusive. */
export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** The seeded agent's raw NATS connection (it signs in at /v1/agent/session). */
export async function rawAgent(stack: TestStack): Promise<RawNats> {
  const res = await postJson(stack, "/v1/agent/session", {
    shopId: SHOP_ID,
    login: AGENT_LOGIN,
    password: AGENT_PASSWORD,
  });
  if (res.status !== 200) throw new Error(`agent session refused: ${res.status}`);
  return rawNats(stack, res.body as SessionResponse);
}

/** What paging through a list saw: the items' keys in the order received, each reply's size, the first failure. */
export interface Paged<K> {
  keys: K[];
  sizes: number[];
  failure: string | undefined;
}

/** Requests pages until `next` says there is none; a timeout or an error ends it as `failure`. */
async function pageUntil<K>(
  r: RawNats,
  op: string,
  maxPages: number,
  body: (cursor: unknown) => unknown,
  take: (result: unknown) => { keys: K[]; next: unknown; more: boolean },
): Promise<Paged<K>> {
  const out: Paged<K> = { keys: [], sizes: [], failure: undefined };
  let cursor: unknown;
  for (let i = 0; i < maxPages; i++) {
    let reply: RpcReply;
    try {
      reply = await r.rpc(op, body(cursor), { timeout: 3000 });
    } catch (err) {
      out.failure = (err as Error).message;
      return out;
    }
    if (!reply.ok) {
      out.failure = reply.error.code;
      return out;
    }
    out.sizes.push(JSON.stringify(reply).length);
    const { keys, next, more } = take(reply.result);
    out.keys.push(...keys);
    if (!more) return out;
    if (next === undefined) {
      out.failure = "hasMore with an empty page";
      return out;
    }
    cursor = next;
  }
  out.failure = "did not end";
  return out;
}

/** Pages `msg.history` (back from the newest) or `msg.since` (from 0), continuing from each page's last seq. */
export function pageMessages(
  r: RawNats,
  convId: string,
  op: "msg.history" | "msg.since",
  limit: number | undefined,
  maxPages: number,
): Promise<Paged<number>> {
  return pageUntil(
    r,
    op,
    maxPages,
    (cursor) => ({
      convId,
      ...(limit !== undefined ? { limit } : {}),
      ...(op === "msg.since" ? { after: cursor ?? 0 } : cursor !== undefined ? { before: cursor } : {}),
    }),
    (result) => {
      const page = result as { messages: StoredMessage[]; hasMore: boolean };
      return { keys: page.messages.map((m) => m.seq), next: page.messages.at(-1)?.seq, more: page.hasMore };
    },
  );
}

/** Pages `note.list` back from the newest, continuing before each page's oldest note; keys are note ids, newest page first. */
export function pageNotes(r: RawNats, convId: string, limit: number | undefined, maxPages: number) {
  return pageUntil<string>(
    r,
    "note.list",
    maxPages,
    (before) => ({ convId, ...(limit !== undefined ? { limit } : {}), ...(before ? { before } : {}) }),
    (result) => {
      const page = result as { notes: Array<{ ts: number; id: string }>; hasMore?: boolean };
      const oldest = page.notes[0];
      return {
        keys: page.notes.map((n) => n.id),
        next: oldest && { ts: oldest.ts, id: oldest.id },
        more: page.hasMore === true,
      };
    },
  );
}
