/**
 * End-to-end encryption under races, through the real stack (gateway, NATS,
 * libsodium): a send sealed under an epoch that was superseded on its way to
 * the gateway is sealed again under the new head; two members committing the
 * same next epoch at once leave one gapless chain; a device that was away
 * while the chain moved reads everything it was given a key for when it comes
 * back with its storage.
 *
 * Races are forced, not hoped for: the tests wrap a client's `request` (the
 * path its outbox and its E2E layer both take) to commit in the middle of a
 * send, or to hold two commits until both were built on the same head.
 *
 * Before a client seals or opens under an epoch it learned from a live commit
 * event, the tests wait until that client's stored keyring holds the epoch's
 * key: `EpochKeyring.apply` sets the new head one await before its key, and a
 * send or open landing in that window commits a needless "rotate" or reports
 * `not_in_epoch` for a key the device does hold (reported separately; these
 * tests are about the races above).
 */
import { type ClientEvents, type KeyValueStorage, memoryStorage, type ParleyClient, ParleyError } from "@parley/sdk";
import { buildCommit, commitHash, DeviceDirectory, EpochKeyring, loadOrCreateDeviceIdentity } from "@parley/sdk/crypto";
import { fromBase64Url } from "@parley/sdk/internal";
import type { EpochCommit } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

/** A plaintext that is unique across the run. */
const say = (label: string) => `${label} ${crypto.randomUUID()}`;

type Request = (op: string, body: unknown, next: () => Promise<unknown>) => Promise<unknown>;

/** Routes every request of `client` (outbox sends and E2E calls alike) through `hook`. */
function intercept(client: ParleyClient, hook: Request): void {
  const original = client.request.bind(client) as (op: string, body: unknown) => Promise<unknown>;
  client.request = ((op: string, body: unknown) =>
    hook(op, body, () => original(op, body))) as unknown as ParleyClient["request"];
}

const codeOf = (err: unknown) => (err instanceof ParleyError ? err.code : String(err));

async function commitsOf(client: ParleyClient, convId: string): Promise<EpochCommit[]> {
  return (await client.request("epoch.list", { convId, after: 0, limit: 100 })).commits;
}

async function headOf(client: ParleyClient, convId: string): Promise<EpochCommit | undefined> {
  return (await commitsOf(client, convId)).at(-1);
}

const memberIds = (commit: EpochCommit | undefined) => (commit?.members.map((m) => m.principalId) ?? []).sort();

describe("end-to-end encryption under races", () => {
  let stack: TestStack;
  let agent: ParleyClient;
  const clients: ParleyClient[] = [];
  const failures = new Map<ParleyClient, ClientEvents["decode-failed"][]>();
  const storages = new Map<ParleyClient, KeyValueStorage>();

  /** A connected encrypted customer whose decode failures are recorded. */
  async function customer(sub: string, options: { handle?: string; storage?: KeyValueStorage } = {}) {
    const storage = options.storage ?? memoryStorage();
    const client = stack.customer(sub, { encryption: true, storage });
    clients.push(client);
    storages.set(client, storage);
    watchFailures(client);
    await client.connect();
    if (options.handle) await client.updateProfile({ handle: options.handle });
    return client;
  }

  function watchFailures(client: ParleyClient): void {
    const list: ClientEvents["decode-failed"][] = [];
    failures.set(client, list);
    client.on("decode-failed", (f) => list.push(f));
  }

  /** Waits until `client` shows every one of `texts` decrypted in `convId` (reloading the conversation while not). */
  async function expectReads(client: ParleyClient, convId: string, texts: readonly string[]): Promise<void> {
    const readable = () =>
      new Set(
        client.conversation(convId).value.messages.flatMap((m) => (m.body?.type === "text" ? [m.body.text] : [])),
      );
    try {
      await waitFor(async () => {
        if (texts.every((t) => readable().has(t))) return true;
        await client.loadConversation(convId);
        return texts.every((t) => readable().has(t));
      }, "messages to decrypt");
    } catch (err) {
      const missing = texts.filter((t) => !readable().has(t));
      const failed = (failures.get(client) ?? []).map((f) => `seq ${f.seq}: ${f.error.message}`);
      throw new Error(
        `${client.principal.id} cannot read ${JSON.stringify(missing)}; decode failures: ${JSON.stringify(failed)}`,
        { cause: err },
      );
    }
  }

  /** Waits until `client`'s keyring (as stored) has `epoch` as head and holds its key. */
  async function holdsKey(client: ParleyClient, convId: string, epoch: number): Promise<void> {
    const storage = storages.get(client);
    if (!storage) throw new Error("a client of this suite has a storage");
    const id = client.principal.id;
    await waitFor(async () => {
      const identity = await loadOrCreateDeviceIdentity(storage, `parley:device:${id}`);
      const directory = await DeviceDirectory.open({ storage, storageKey: `parley:devices:${id}` });
      const keyring = await EpochKeyring.open({
        storage,
        convId,
        identity,
        directory,
        storageKeyPrefix: `parley:epochs:${id}:`,
      });
      return keyring.epoch === epoch && keyring.keyFor(epoch) !== undefined;
    }, `${id} to hold the key of epoch ${epoch}`);
  }

  /** Waits until the conversation's head commit lists exactly these principals. */
  async function headWith(convId: string, principals: string[], what: string): Promise<EpochCommit> {
    const want = [...principals].sort();
    return waitFor(async () => {
      const head = await headOf(agent, convId);
      return JSON.stringify(memberIds(head)) === JSON.stringify(want) && head;
    }, what);
  }

  /** An owner's conversation at epoch 2, after the owner's "add" commit for the invited friend who accepted. */
  async function conversationOfTwo(prefix: string) {
    const ownerStorage = memoryStorage();
    const friendStorage = memoryStorage();
    const owner = await customer(`${prefix}-owner`, { storage: ownerStorage });
    const friend = await customer(`${prefix}-friend`, { handle: `${prefix}_friend`, storage: friendStorage });
    const conv = await owner.openConversation();
    await friend.acceptInvite((await owner.invite(conv.id, `@${prefix}_friend`)).id);
    const head = await headWith(conv.id, [owner.principal.id, friend.principal.id], "the owner's add commit");
    expect(head.epoch).toBe(2);
    return { owner, friend, conv, ownerStorage, friendStorage };
  }

  /**
   * Commits a "rotate" as the owner's own device (identity from its storage), for the same members, on the
   * current head: what the owner's client does on its own after 100 messages or 7 days.
   */
  async function rotateAsOwner(owner: ParleyClient, ownerStorage: KeyValueStorage, convId: string) {
    const identity = await loadOrCreateDeviceIdentity(ownerStorage, `parley:device:${owner.principal.id}`);
    const head = await headOf(owner, convId);
    if (!head) throw new Error("no head to rotate");
    const { devices } = await owner.request("device.list", { principalIds: head.members.map((m) => m.principalId) });
    const { key } = await owner.request("team.get", { shopId: owner.principal.shopId });
    const { commit } = await buildCommit({
      identity,
      principalId: owner.principal.id,
      convId,
      prev: head,
      members: head.members.map((m) => ({
        principalId: m.principalId,
        devices: devices.filter((d) => d.principal === m.principalId && m.deviceIds.includes(d.deviceId)),
      })),
      ...(key ? { teamBoxPk: fromBase64Url(key.boxPk) } : {}),
      historyPolicy: head.historyPolicy,
      reason: "rotate",
    });
    await owner.request("epoch.commit", { commit });
    return commit;
  }

  beforeAll(async () => {
    stack = await startStack();
    // The admin agent connects first: its device makes the shop's team key, so every commit carries a team wrap.
    const agentStorage = memoryStorage();
    agent = stack.agent({ encryption: true, storage: agentStorage });
    clients.push(agent);
    storages.set(agent, agentStorage);
    watchFailures(agent);
    await agent.connect();
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stack?.[Symbol.asyncDispose]();
  });

  describe("a send that meets a newer epoch at the gateway (stale_epoch)", () => {
    const cases = [
      {
        name: "is sealed again under the owner's rotation and stored once, readable by every member",
        prefix: "rr",
        race: async (ctx: Awaited<ReturnType<typeof conversationOfTwo>>) => {
          await rotateAsOwner(ctx.owner, ctx.ownerStorage, ctx.conv.id);
          return [] as ParleyClient[];
        },
      },
      {
        name: "is sealed again under the add commit of a third member who joined meanwhile, and the newcomer reads it",
        prefix: "ra",
        race: async (ctx: Awaited<ReturnType<typeof conversationOfTwo>>) => {
          const third = await customer("ra-third", { handle: "ra_third" });
          await third.acceptInvite((await ctx.owner.invite(ctx.conv.id, "@ra_third")).id);
          await headWith(
            ctx.conv.id,
            [ctx.owner.principal.id, ctx.friend.principal.id, third.principal.id],
            "the owner's add commit for the third member",
          );
          return [third];
        },
      },
    ];

    for (const { name, prefix, race } of cases) {
      it(name, async () => {
        const ctx = await conversationOfTwo(prefix);
        const { owner, friend, conv } = ctx;
        // Both have spoken under epoch 2, so the friend's client holds that epoch and its members as current.
        const warmup = [say("owner-e2"), say("friend-e2")];
        await owner.send(conv.id, warmup[0] ?? "");
        await friend.send(conv.id, warmup[1] ?? "");
        const before = (await headOf(owner, conv.id))?.epoch ?? 0;

        // The friend's first attempt is sealed under `before`; the chain moves on before the gateway sees it.
        const attempts: Array<{ epoch: number; outcome: string }> = [];
        let others: ParleyClient[] | undefined;
        intercept(friend, async (op, body, next) => {
          if (op !== "msg.send") return next();
          if (!others) {
            others = await race(ctx);
            for (const reader of [owner, agent, ...others]) await holdsKey(reader, conv.id, before + 1);
          }
          const epoch = (body as { envelope: { epoch: number } }).envelope.epoch;
          try {
            const result = await next();
            attempts.push({ epoch, outcome: "ok" });
            return result;
          } catch (err) {
            attempts.push({ epoch, outcome: codeOf(err) });
            throw err;
          }
        });
        const racing = say("friend-racing");
        const sent = await friend.send(conv.id, racing);

        expect(sent.body).toEqual({ type: "text", text: racing });
        const head = await headOf(owner, conv.id);
        expect(head?.epoch).toBe(before + 1);
        expect(attempts).toEqual([
          { epoch: before, outcome: "stale_epoch" },
          { epoch: before + 1, outcome: "ok" },
        ]);
        const stored = (await stack.gateway.store.since(conv.id, 0, 100)).filter((m) => m.msgId === sent.msgId);
        expect(stored).toHaveLength(1);
        expect(stored[0]?.seq).toBe(sent.seq);
        expect(stored[0]?.envelope.epoch).toBe(before + 1);

        for (const reader of [owner, friend, agent, ...(others ?? [])]) await expectReads(reader, conv.id, [racing]);
        for (const reader of [owner, agent]) await expectReads(reader, conv.id, warmup);
        for (const reader of [owner, friend, agent, ...(others ?? [])]) {
          expect(failures.get(reader)?.filter((f) => f.msgId === sent.msgId)).toEqual([]);
        }
      });
    }
  });

  it("keeps one gapless chain when two members commit the same next epoch at once, and everyone reads everyone after", async () => {
    const { owner, friend, conv } = await conversationOfTwo("cc");
    const guest1 = await customer("cc-guest1", { handle: "cc_guest1" });
    const guest2 = await customer("cc-guest2", { handle: "cc_guest2" });
    const start = (await headOf(owner, conv.id))?.epoch ?? 0;

    // Each inviter commits "add" on its own `joined` event. Their first commits are held until both were built,
    // so both target epoch start+1 on the same head; then they race the gateway's compare-and-set.
    const held: Array<{ who: string; epoch: number }> = [];
    const outcomes = new Map<string, string>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const [who, client] of [
      ["owner", owner],
      ["friend", friend],
    ] as const) {
      intercept(client, async (op, body, next) => {
        if (op !== "epoch.commit" || outcomes.has(who) || held.some((h) => h.who === who)) return next();
        held.push({ who, epoch: (body as { commit: EpochCommit }).commit.epoch });
        if (held.length === 2) release();
        await gate;
        try {
          const result = await next();
          outcomes.set(who, "ok");
          return result;
        } catch (err) {
          outcomes.set(who, codeOf(err));
          throw err;
        }
      });
    }
    const [invite1, invite2] = await Promise.all([
      owner.invite(conv.id, "@cc_guest1"),
      friend.invite(conv.id, "@cc_guest2"),
    ]);
    await Promise.all([guest1.acceptInvite(invite1.id), guest2.acceptInvite(invite2.id)]);

    await waitFor(() => outcomes.size === 2, "both held commits to be answered");
    expect(held.map((h) => h.epoch)).toEqual([start + 1, start + 1]);
    expect([...outcomes.values()].sort()).toEqual(["conflict", "ok"]);

    const everyone = [owner, friend, guest1, guest2];
    const head = await headWith(
      conv.id,
      everyone.map((c) => c.principal.id),
      "a head listing all four customers",
    );

    for (const c of [...everyone, agent]) await holdsKey(c, conv.id, head.epoch);
    // Everyone speaks, under the head everyone holds.
    const texts = new Map<ParleyClient, string>();
    for (const c of [...everyone, agent]) texts.set(c, say(`from-${c.principal.id}`));
    const sent = await Promise.all([...texts].map(([c, t]) => c.send(conv.id, t)));
    for (const reader of [...everyone, agent]) await expectReads(reader, conv.id, [...texts.values()]);

    const commits = await commitsOf(owner, conv.id);
    const final = (await owner.request("conv.get", { convId: conv.id })).conversation.epoch;
    expect(final).toBe(head.epoch);
    expect(commits.map((c) => c.epoch)).toEqual(Array.from({ length: final }, (_, i) => i + 1));
    for (let i = 1; i < commits.length; i++) {
      expect(commits[i]?.prevHash).toBe(await commitHash(commits[i - 1] as EpochCommit));
    }
    // One add resolved the race, or the loser added what the winner had not seen; nothing else committed.
    const after = commits.slice(start).map((c) => c.reason);
    expect([["add"], ["add", "add"]]).toContainEqual(after);
    const stored = await stack.gateway.store.since(conv.id, 0, 100);
    for (const m of sent) {
      const copies = stored.filter((s) => s.msgId === m.msgId);
      expect(copies).toHaveLength(1);
      expect(copies[0]?.envelope.epoch).toBe(final);
    }
    for (const reader of [...everyone, agent]) {
      const ids = new Set(sent.map((m) => m.msgId));
      expect(failures.get(reader)?.filter((f) => ids.has(f.msgId))).toEqual([]);
    }
  });

  it("a member that reconnects with its storage reads the epochs it was given while away, not those before it joined", async () => {
    const ownerStorage = memoryStorage();
    const friendStorage = memoryStorage();
    const owner = await customer("rc-owner", { storage: ownerStorage });
    const friend = await customer("rc-friend", { handle: "rc_friend", storage: friendStorage });
    const visitor = await customer("rc-visitor", { handle: "rc_visitor" });
    const conv = await owner.openConversation();
    const beforeJoin = say("epoch1-before-friend");
    await owner.send(conv.id, beforeJoin);

    await friend.acceptInvite((await owner.invite(conv.id, "@rc_friend")).id);
    await headWith(conv.id, [owner.principal.id, friend.principal.id], "epoch 2 adding the friend");
    const e2 = [say("epoch2-owner"), say("epoch2-friend")];
    await owner.send(conv.id, e2[0] ?? "");
    await friend.send(conv.id, e2[1] ?? "");
    await expectReads(friend, conv.id, e2);
    const friendId = friend.principal.id;
    await friend.close();

    // While the friend is away: epoch 3 adds a visitor, epoch 4 is the owner's rotation; messages in both.
    // (The visitor stays: a removed member's devices are no longer listed to anyone, see the report.)
    await visitor.acceptInvite((await owner.invite(conv.id, "@rc_visitor")).id);
    const e3head = await headWith(conv.id, [owner.principal.id, friendId, visitor.principal.id], "epoch 3");
    expect(e3head.epoch).toBe(3);
    for (const c of [owner, visitor]) await holdsKey(c, conv.id, 3);
    const e3 = [say("epoch3-owner"), say("epoch3-visitor")];
    await owner.send(conv.id, e3[0] ?? "");
    await visitor.send(conv.id, e3[1] ?? "");
    const e4head = await rotateAsOwner(owner, ownerStorage, conv.id);
    expect(e4head.epoch).toBe(4);
    for (const c of [owner, visitor, agent]) await holdsKey(c, conv.id, 4);
    const e4 = [say("epoch4-owner"), say("epoch4-visitor")];
    await owner.send(conv.id, e4[0] ?? "");
    await visitor.send(conv.id, e4[1] ?? "");
    const stored = await stack.gateway.store.since(conv.id, 0, 100);
    expect(stored.map((m) => m.envelope.epoch)).toEqual([1, 2, 2, 3, 3, 4, 4]);

    const back = await customer("rc-friend", { storage: friendStorage });
    expect(back.principal.id).toBe(friendId);
    // The same device came back (its identity is in the storage), so it holds the wraps made while it was away.
    const { devices } = await back.request("device.list", { principalIds: [friendId] });
    expect(devices).toHaveLength(1);
    expect(e4head.members.find((m) => m.principalId === friendId)?.deviceIds).toEqual([devices[0]?.deviceId]);

    await expectReads(back, conv.id, [...e2, ...e3, ...e4]);
    // What was said before it joined is not even served to it (its invite offered no history: the
    // gateway's history floor, ADR 0024), so nothing failed to decrypt.
    expect(back.conversation(conv.id).value.messages.find((m) => m.seq === 1)).toBeUndefined();
    expect(failures.get(back) ?? []).toEqual([]);

    // It speaks again under the head without a new commit; the owner and the agent read it.
    const reply = say("friend-back");
    const sent = await back.send(conv.id, reply);
    expect((await stack.gateway.store.since(conv.id, 0, 100)).find((m) => m.msgId === sent.msgId)?.envelope.epoch).toBe(
      4,
    );
    for (const reader of [owner, visitor]) await expectReads(reader, conv.id, [reply]);
    await expectReads(agent, conv.id, [beforeJoin, ...e2, ...e3, ...e4, reply]);
  });
});
