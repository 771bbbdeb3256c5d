/**
 * The embedded store's send context in memory (send-context.ts, ADR 0051):
 * with `exclusive`, every write path that touches a conversation, its members
 * or a shop's team key is followed by a read that sees the new value, the
 * cache is bounded, and it really serves from memory (a write behind the
 * store's back, which `exclusive` rules out, goes unseen; the reason it is
 * off for MongoDB and for several processes).
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { commit, teamKey as shopTeamKey } from "../conformance/fixtures.js";
import type { MemberRecord } from "../port.js";
import { SqliteStore } from "./store.js";
import { conversation, createConversations, message, openStore, T0, tempStore } from "./test-kit.js";

const member = (convId: string, principalId: string, overrides: Partial<MemberRecord> = {}): MemberRecord => ({
  convId,
  principalId,
  role: "member",
  joinedAt: T0,
  ...overrides,
});

/** Shop shop-1's team key of `version`. */
const teamKey = (version: number) => shopTeamKey("shop-1", version);

/** Writes a column behind the store's back, on a connection of its own. */
function rawUpdate(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path, { timeout: 5000 });
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

describe("SqliteStore exclusive: the send context follows every write", () => {
  it("serves the three send-path reads from memory once read (a write behind its back goes unseen)", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store, path } = fx;
    await createConversations(store, ["c1"]);
    await store.addMember(member("c1", "p-a"));
    await store.putTeamKey(teamKey(1));
    expect((await store.getConversation("c1"))?.status).toBe("open");
    expect(await store.listMembers("c1")).toHaveLength(1);
    expect((await store.getTeamKey("shop-1"))?.version).toBe(1);
    rawUpdate(path, "UPDATE conversations SET status = 'closed' WHERE id = ?", "c1");
    rawUpdate(path, "DELETE FROM members WHERE conv_id = ?", "c1");
    rawUpdate(path, "DELETE FROM team_keys WHERE shop_id = ?", "shop-1");
    // Held in memory: this is why `exclusive` is for the one process that writes the file.
    expect((await store.getConversation("c1"))?.status).toBe("open");
    expect(await store.listMembers("c1")).toHaveLength(1);
    expect((await store.getTeamKey("shop-1"))?.version).toBe(1);
    // Without `exclusive` the same store reads the file every time.
    await store.close();
    const plain = await openStore(path);
    try {
      expect((await plain.getConversation("c1"))?.status).toBe("closed");
      expect(await plain.listMembers("c1")).toEqual([]);
      expect(await plain.getTeamKey("shop-1")).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it("updateConversation: status, assignee, handover and updatedAt", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    expect(await store.getConversation("c1")).toEqual(conversation("c1"));
    await store.updateConversation("c1", { status: "closed" }, T0 + 5);
    expect(await store.getConversation("c1")).toMatchObject({ status: "closed", updatedAt: T0 + 5 });
    await store.updateConversation("c1", { assignee: "p-agent", handover: true }, T0 + 6);
    expect(await store.getConversation("c1")).toMatchObject({ assignee: "p-agent", handover: true, updatedAt: T0 + 6 });
    await store.updateConversation("c1", { assignee: null, handover: false, status: "open" }, T0 + 7);
    const after = await store.getConversation("c1");
    expect(after).toEqual({ ...conversation("c1"), updatedAt: T0 + 7 });
  });

  it("createConversation with an assignee, after a member list was read for the id", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    expect(await store.getConversation("c1")).toBeUndefined();
    expect(await store.listMembers("c1")).toEqual([]);
    await store.createConversation({ ...conversation("c1"), assignee: "p-agent" });
    await store.addMember(member("c1", "p-a"));
    expect(await store.getConversation("c1")).toEqual({ ...conversation("c1"), assignee: "p-agent" });
    expect((await store.listMembers("c1")).map((m) => m.principalId)).toEqual(["p-a"]);
  });

  it("appendCommit: the epoch moves with an accepted commit and with a repaired head", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store, path } = fx;
    await createConversations(store, ["c1"]);
    expect((await store.getConversation("c1"))?.epoch).toBe(0);
    expect(await store.appendCommit(commit("c1", 1))).toEqual({ accepted: true, head: 1 });
    expect((await store.getConversation("c1"))?.epoch).toBe(1);
    // A commit stored without moving the head (a crash between the two writes): the refusal repairs it.
    rawUpdate(
      path,
      "INSERT INTO commits (conv_id, epoch, body) VALUES (?, ?, ?)",
      "c1",
      2,
      JSON.stringify(commit("c1", 2)),
    );
    expect(await store.appendCommit(commit("c1", 2))).toEqual({ accepted: false, head: 2 });
    expect((await store.getConversation("c1"))?.epoch).toBe(2);
    expect(await store.appendCommit(commit("c1", 3))).toEqual({ accepted: true, head: 3 });
    expect((await store.getConversation("c1"))?.epoch).toBe(3);
  });

  it("append: lastSeq and updatedAt move before the append resolves; a duplicate moves nothing", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    await createConversations(store, ["c1", "c2"]);
    expect((await store.getConversation("c1"))?.lastSeq).toBe(0);
    const sent = await Promise.all([
      store.append(message("c1", "m1", T0 + 100)),
      store.append(message("c1", "m2", T0 + 90)),
      store.append(message("c2", "m1", T0 + 50)),
    ]);
    expect(sent.map((r) => r.message.seq)).toEqual([1, 2, 1]);
    // updated_at = MAX(updated_at, ts): the older ts of m2 leaves it at m1's.
    expect(await store.getConversation("c1")).toMatchObject({ lastSeq: 2, updatedAt: T0 + 100 });
    expect(await store.getConversation("c2")).toMatchObject({ lastSeq: 1, updatedAt: T0 + 50 });
    expect((await store.append(message("c1", "m1", T0 + 500))).duplicate).toBe(true);
    expect(await store.getConversation("c1")).toMatchObject({ lastSeq: 2, updatedAt: T0 + 100 });
    // What the file says, through a store that reads it every time.
    const plain = await openStore(fx.path);
    try {
      expect(await plain.getConversation("c1")).toEqual(await store.getConversation("c1"));
    } finally {
      await plain.close();
    }
  });

  it("addMember and removeMember: joins, a re-add with a new history floor, leaves", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    expect(await store.listMembers("c1")).toEqual([]);
    await store.addMember(member("c1", "p-a"));
    expect(await store.listMembers("c1")).toEqual([member("c1", "p-a")]);
    await store.addMember(member("c1", "p-b", { joinedAt: T0 + 1, invitedBy: "p-a", historyFrom: T0 }));
    expect((await store.listMembers("c1")).map((m) => m.principalId)).toEqual(["p-a", "p-b"]);
    await store.addMember(member("c1", "p-b", { joinedAt: T0 + 1, invitedBy: "p-a", historyFrom: T0 + 9 }));
    expect((await store.listMembers("c1"))[1]?.historyFrom).toBe(T0 + 9);
    expect(await store.removeMember("c1", "p-a")).toBe(true);
    expect((await store.listMembers("c1")).map((m) => m.principalId)).toEqual(["p-b"]);
    expect(await store.removeMember("c1", "p-a")).toBe(false);
    expect((await store.listMembers("c1")).map((m) => m.principalId)).toEqual(["p-b"]);
  });

  it("putTeamKey: the first key of a shop, and each rotation", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    expect(await store.getTeamKey("shop-1")).toBeUndefined();
    await store.putTeamKey(teamKey(1));
    expect(await store.getTeamKey("shop-1")).toEqual(teamKey(1));
    expect(await store.putTeamKey(teamKey(2))).toEqual({ accepted: true, version: 2 });
    expect(await store.getTeamKey("shop-1")).toEqual(teamKey(2));
    expect(await store.putTeamKey({ ...teamKey(2), sig: "late" })).toEqual({ accepted: false, version: 2 });
    expect(await store.getTeamKey("shop-1")).toEqual(teamKey(2));
    // A versioned read is not the cached one.
    expect(await store.getTeamKey("shop-1", 1)).toEqual(teamKey(1));
  });

  it("hands out copies: changing a returned record changes nothing held", async () => {
    await using fx = await tempStore({ exclusive: true });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    await store.addMember(member("c1", "p-a"));
    await store.putTeamKey(teamKey(1));
    const conv = await store.getConversation("c1");
    const members = await store.listMembers("c1");
    const key = await store.getTeamKey("shop-1");
    if (!conv || !members[0] || !key) throw new Error("seeded above");
    conv.status = "closed";
    members[0].role = "owner";
    members.push(member("c1", "p-x"));
    key.createdBy.principalId = "p-mallory";
    expect((await store.getConversation("c1"))?.status).toBe("open");
    expect(await store.listMembers("c1")).toEqual([member("c1", "p-a")]);
    expect(await store.getTeamKey("shop-1")).toEqual(teamKey(1));
  });

  it("stays within its bound with many conversations and still answers each one right", async () => {
    await using fx = await tempStore({ exclusive: true, cachedConversations: 3 });
    const { store, path } = fx;
    const ids = Array.from({ length: 8 }, (_, i) => `c${i}`);
    await createConversations(store, ids);
    for (const id of ids) await store.addMember(member(id, `p-${id}`));
    for (const id of ids) {
      expect((await store.getConversation(id))?.id).toBe(id);
      expect((await store.listMembers(id)).map((m) => m.principalId)).toEqual([`p-${id}`]);
    }
    expect(store.sendContextSize).toEqual({ conversations: 3, shops: 0 });
    // c0 was dropped (least recently used): a write behind the store's back shows, c7's does not.
    rawUpdate(path, "UPDATE conversations SET status = 'closed' WHERE id IN ('c0', 'c7')");
    expect((await store.getConversation("c0"))?.status).toBe("closed");
    expect((await store.getConversation("c7"))?.status).toBe("open");
    expect(store.sendContextSize?.conversations).toBe(3);
  });

  it("drops everything when the writer thread dies after a commit it never answered", async () => {
    await using fx = await tempStore({
      exclusive: true,
      failpoints: { writerCrash: { atBatch: 2, afterCommit: true, exitCode: 3 } },
    });
    const { store } = fx;
    await createConversations(store, ["c1"]);
    expect((await store.append(message("c1", "m1"))).message.seq).toBe(1);
    expect((await store.getConversation("c1"))?.lastSeq).toBe(1);
    await expect(store.append(message("c1", "m2"))).rejects.toThrow(/may or may not be stored/);
    // Committed, never answered: the read goes to the file and sees it.
    expect((await store.getConversation("c1"))?.lastSeq).toBe(2);
  });
});

describe("SqliteStore without exclusive", () => {
  it("keeps nothing in memory (the default: other processes may write the file)", async () => {
    await using fx = await tempStore();
    const { store, path } = fx;
    await createConversations(store, ["c1"]);
    expect((await store.getConversation("c1"))?.status).toBe("open");
    rawUpdate(path, "UPDATE conversations SET status = 'closed' WHERE id = ?", "c1");
    expect((await store.getConversation("c1"))?.status).toBe("closed");
    expect(store.sendContextSize).toBeUndefined();
  });

  it("refuses a bad cache bound", () => {
    expect(() => new SqliteStore({ path: "unused.sqlite", exclusive: true, cachedConversations: 0 })).toThrow(
      /cachedConversations/,
    );
  });
});
