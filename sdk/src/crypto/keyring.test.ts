import { describe, expect, it } from "vitest";
import { toBase64Url } from "../base64url.js";
import type { EpochCommit } from "../protocol/models.js";
import { type KeyValueStorage, memoryStorage } from "../storage.js";
import { encodeCommitForSignature } from "./canonical.js";
import { buildCommit, CommitError, type CommitFailure } from "./commits.js";
import { DeviceDirectory, KeyStoreError } from "./device-directory.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { type ApplyContext, EpochKeyring, ROTATE_AFTER_MESSAGES, ROTATE_AFTER_MS, rotationDue } from "./keyring.js";
import { DecryptError, openMessage, sealMessage } from "./message-crypto.js";
import { createEpochKey, sealEpochKey } from "./seal-box.js";
import { loadSodium } from "./sodium.js";

const sodium = await loadSodium();
const CONV = "c_keyring0000000000000000";
const T0 = 1_700_000_000_000;

interface Member {
  principalId: string;
  identity: DeviceIdentity;
}
const member = async (principalId: string): Promise<Member> => ({
  principalId,
  identity: await createDeviceIdentity(),
});
const alice = await member("p_alice");
const bob = await member("p_bob");
const carol = await member("p_carol");
const mallory = await member("p_mallory");
const agent = await member("p_agent");
const everyone = [alice, bob, carol, mallory, agent];
const records = await Promise.all(everyone.map((m) => signDeviceRecord(m.identity, m.principalId)));
const recordOf = (m: Member) => records[everyone.indexOf(m)] as (typeof records)[number];

async function newDirectory(storage: KeyValueStorage = memoryStorage()) {
  const directory = await DeviceDirectory.open({ storage });
  await directory.learn(records);
  return directory;
}

async function keyringFor(m: Member, storage: KeyValueStorage = memoryStorage()) {
  const directory = await newDirectory(storage);
  return EpochKeyring.open({ storage, convId: CONV, identity: m.identity, directory });
}

/** The keyring `m` finds in `storage` again (as after a reload), with the directory stored there. */
async function reopen(m: Member, storage: KeyValueStorage) {
  const directory = await DeviceDirectory.open({ storage });
  return EpochKeyring.open({ storage, convId: CONV, identity: m.identity, directory });
}

async function commit(
  by: Member,
  prev: EpochCommit | undefined,
  members: Member[],
  reason: EpochCommit["reason"],
  extra: { teamBoxPk?: Uint8Array; now?: number; teamSigner?: { version: number; signSk: Uint8Array } } = {},
) {
  return buildCommit({
    identity: by.identity,
    principalId: by.principalId,
    convId: CONV,
    prev,
    members: members.map((m) => ({ principalId: m.principalId, devices: [recordOf(m)] })),
    historyPolicy: "none",
    reason,
    now: extra.now ?? T0,
    ...(extra.teamBoxPk ? { teamBoxPk: extra.teamBoxPk } : {}),
    ...(extra.teamSigner ? { teamSigner: extra.teamSigner } : {}),
  });
}

async function rejection(promise: Promise<unknown>): Promise<CommitFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommitError);
  return (error as CommitError).reason;
}

// create (alice, bob) -> add carol (by bob) -> remove bob (by alice)
const e1 = await commit(alice, undefined, [alice, bob], "create");
const e2 = await commit(bob, e1.commit, [alice, bob, carol], "add");
const e3 = await commit(alice, e2.commit, [alice, carol], "remove");
const chain = [e1.commit, e2.commit, e3.commit];

/** Carol's keyring after the first two commits, with two messages counted in epoch 2, and its storage. */
async function carolAtEpoch2() {
  const storage = memoryStorage();
  const kc = await keyringFor(carol, storage);
  await kc.apply(chain.slice(0, 2));
  await kc.noteMessage(2);
  await kc.noteMessage(2);
  return { storage, kc };
}

describe("EpochKeyring", () => {
  it("applies a verified chain and holds exactly the keys this device was given", async () => {
    const ka = await keyringFor(alice);
    const kb = await keyringFor(bob);
    const kc = await keyringFor(carol);
    const km = await keyringFor(mallory);
    expect(ka.head).toBeUndefined();
    expect(ka.epoch).toBe(0);
    expect(await ka.apply(chain)).toEqual({ applied: [1, 2, 3], opened: [1, 2, 3], unreadable: [] });
    expect(await kb.apply(chain)).toEqual({ applied: [1, 2, 3], opened: [1, 2], unreadable: [] });
    expect(await kc.apply(chain)).toEqual({ applied: [1, 2, 3], opened: [2, 3], unreadable: [] });
    expect(await km.apply(chain)).toEqual({ applied: [1, 2, 3], opened: [], unreadable: [] });
    for (const k of [ka, kb, kc, km]) expect(k.head).toEqual(e3.commit);
    expect(ka.keyFor(1)).toEqual(e1.epochKey);
    expect(ka.keyFor(3)).toEqual(e3.epochKey);
    expect(kb.keyFor(2)).toEqual(e2.epochKey);
    expect(kb.keyFor(3)).toBeUndefined();
    expect(kc.keyFor(1)).toBeUndefined();
    // Applying what is already applied changes nothing.
    expect(await kc.apply(chain)).toEqual({ applied: [], opened: [], unreadable: [] });
  });

  it("a removed device decrypts 0 of the messages sent after its removal", async () => {
    const kb = await keyringFor(bob);
    await kb.apply(chain.slice(0, 2));
    const send = async (epoch: number, key: Uint8Array, i: number) =>
      sealMessage({
        header: {
          v: 1,
          convId: CONV,
          epoch,
          msgId: `m_keyring_test_${i}`,
          senderDevice: alice.identity.deviceId,
          ts: T0,
        },
        body: { type: "text", text: `secret ${i}` },
        epochKey: key,
        signer: alice.identity.sign.secretKey,
      });
    const before = await send(2, e2.epochKey, 0);
    await kb.apply(chain.slice(2));
    const after = await Promise.all(Array.from({ length: 5 }, (_, i) => send(3, e3.epochKey, i + 1)));
    const tryOpen = async (envelope: Awaited<ReturnType<typeof send>>) => {
      const key = kb.keyFor(envelope.epoch);
      if (!key) return false;
      return openMessage({ envelope, epochKey: key, senderSigPk: alice.identity.sign.publicKey }).then(
        () => true,
        (e: unknown) => {
          expect(e).toBeInstanceOf(DecryptError);
          return false;
        },
      );
    };
    expect(await tryOpen(before)).toBe(true);
    let decrypted = 0;
    for (const envelope of after) if (await tryOpen(envelope)) decrypted++;
    expect(decrypted).toBe(0);
    // Even with another epoch's key it has, nothing opens.
    for (const envelope of after) {
      await expect(
        openMessage({ envelope, epochKey: e2.epochKey, senderSigPk: alice.identity.sign.publicKey }),
      ).rejects.toMatchObject({ reason: "bad_ciphertext" });
    }
  });

  it("keeps its head and keys across a reload from storage", async () => {
    const { storage } = await carolAtEpoch2();
    const reloaded = await reopen(carol, storage);
    expect(reloaded.head).toEqual(e2.commit);
    expect(reloaded.keyFor(2)).toEqual(e2.epochKey);
    expect(reloaded.keyFor(1)).toBeUndefined();
    expect(reloaded.messagesSince(2)).toBe(2);
    // It continues from where it was: the next commit applies, an old one is skipped, a fork is refused.
    expect((await reloaded.apply(chain)).applied).toEqual([3]);
    expect(reloaded.keyFor(3)).toEqual(e3.epochKey);
    const fork = await commit(bob, e2.commit, [alice, bob, carol], "rotate");
    expect(await rejection(reloaded.apply([fork.commit]))).toBe("bad_chain");
    // Only base64url text in storage; no other conversation's key.
    const stored = (await storage.get(`parley.epochs.${CONV}`)) ?? "";
    expect(stored).toContain(toBase64Url(e3.epochKey));
    expect(await storage.get("parley.epochs.c_other")).toBeUndefined();
  });

  it("stores the new head and keys with the counts after a commit that follows counted messages", async () => {
    const { storage, kc } = await carolAtEpoch2();
    await kc.apply(chain);
    await kc.noteMessage(3);
    const stored = (await storage.get(`parley.epochs.${CONV}`)) ?? "";
    // The same layout as before the head was kept serialized between writes.
    expect(Object.keys(JSON.parse(stored))).toEqual(["v", "convId", "head", "keys", "counts"]);
    const reloaded = await reopen(carol, storage);
    expect(reloaded.head).toEqual(e3.commit);
    expect(reloaded.keyFor(2)).toEqual(e2.epochKey);
    expect(reloaded.keyFor(3)).toEqual(e3.epochKey);
    expect(reloaded.messagesSince(3)).toBe(1);
    expect(reloaded.messagesSince(2)).toBe(3);
  });

  it("refuses out-of-order and unverifiable commits and stays at the last good head", async () => {
    const storage = memoryStorage();
    const kc = await keyringFor(carol, storage);
    expect(await rejection(kc.apply([e2.commit]))).toBe("bad_chain");
    expect(kc.head).toBeUndefined();
    expect(await rejection(kc.apply([e1.commit, e3.commit]))).toBe("bad_chain");
    expect(kc.head).toEqual(e1.commit);
    // The good part of a batch was persisted before the failure.
    const reloaded = await keyringFor(carol, storage);
    expect(reloaded.head).toEqual(e1.commit);

    // A commit by a device the directory has not pinned: unknown_committer, then fine once learned.
    const storage2 = memoryStorage();
    const directory = await DeviceDirectory.open({ storage: storage2 });
    await directory.learn([recordOf(alice)]);
    const kb = await EpochKeyring.open({ storage: storage2, convId: CONV, identity: bob.identity, directory });
    await kb.apply([e1.commit]);
    expect(await rejection(kb.apply([e2.commit]))).toBe("unknown_committer");
    expect(kb.epoch).toBe(1);
    await directory.learn(records);
    expect((await kb.apply([e2.commit])).applied).toEqual([2]);

    // Signed by a pinned device of a non-member: not_a_member.
    const byMallory = await commit(mallory, e1.commit, [alice, bob, mallory], "add");
    const km = await keyringFor(alice);
    await km.apply([e1.commit]);
    expect(await rejection(km.apply([byMallory.commit]))).toBe("not_a_member");
    expect(km.head).toEqual(e1.commit);
    expect(km.keyFor(2)).toBeUndefined();

    // Another conversation's commit, and a malformed one.
    const other = await buildCommit({
      identity: alice.identity,
      principalId: alice.principalId,
      convId: "c_other",
      prev: undefined,
      members: [{ principalId: alice.principalId, devices: [recordOf(alice)] }],
      historyPolicy: "none",
      reason: "create",
    });
    expect(await rejection((await keyringFor(alice)).apply([other.commit]))).toBe("bad_chain");
    expect(await rejection(km.apply([{ ...e2.commit, extra: 1 } as EpochCommit]))).toBe("bad_shape");
  });

  it("opens the team wrap on an agent device and accepts commits the team key signed", async () => {
    const team = sodium.crypto_box_keypair();
    const teamSign = sodium.crypto_sign_keypair();
    const ctx: ApplyContext = {
      teamSigPk: (version) => (version === 1 ? teamSign.publicKey : undefined),
      teamKey: { boxPk: team.publicKey, boxSk: team.privateKey },
    };
    const t1 = await commit(alice, undefined, [alice], "create", { teamBoxPk: team.publicKey });
    const t2 = await commit(agent, t1.commit, [alice], "rotate", {
      teamBoxPk: team.publicKey,
      teamSigner: { version: 1, signSk: teamSign.privateKey },
    });
    const kagent = await keyringFor(agent);
    expect(await kagent.apply([t1.commit, t2.commit], ctx)).toEqual({
      applied: [1, 2],
      opened: [1, 2],
      unreadable: [],
    });
    expect(kagent.keyFor(2)).toEqual(t2.epochKey);
    const ka = await keyringFor(alice);
    expect(await rejection(ka.apply([t1.commit, t2.commit]))).toBe("not_a_member");
    expect((await ka.apply([t2.commit], { teamSigPk: ctx.teamSigPk })).opened).toEqual([2]);
  });

  it("advances past a valid commit whose wrap for this device does not open, and then asks for a rotation", async () => {
    const garbage = toBase64Url(await sealEpochKey(createEpochKey(), mallory.identity.box.publicKey));
    const { sig: _sig, ...unsigned } = e2.commit;
    const lying = {
      ...unsigned,
      wraps: unsigned.wraps.map((w) => (w.deviceId === carol.identity.deviceId ? { ...w, sealed: garbage } : w)),
    };
    const sig = sodium.crypto_sign_detached(encodeCommitForSignature(lying), bob.identity.sign.secretKey);
    const kc = await keyringFor(carol);
    const result = await kc.apply([e1.commit, { ...lying, sig: toBase64Url(sig) }]);
    expect(result).toEqual({ applied: [1, 2], opened: [], unreadable: [2] });
    expect(kc.needsRotation({ now: T0 })).toBe("no_key");
  });

  it("refuses corrupt stored state without replacing it", async () => {
    const storage = memoryStorage();
    const ka = await keyringFor(alice, storage);
    await ka.apply(chain);
    const key = `parley.epochs.${CONV}`;
    const parsed = JSON.parse((await storage.get(key)) ?? "");
    const corrupt = [
      "{",
      JSON.stringify({ ...parsed, v: 9 }),
      JSON.stringify({ ...parsed, convId: "c_other" }),
      JSON.stringify({ ...parsed, head: { ...parsed.head, sig: "x" } }),
      JSON.stringify({ ...parsed, keys: [[4, parsed.keys[0][1]]] }),
      JSON.stringify({ ...parsed, keys: [[1, "short"]] }),
      JSON.stringify({ ...parsed, keys: [[1, "!".repeat(43)]] }),
      JSON.stringify({ ...parsed, counts: [[1, -1]] }),
    ];
    for (const text of corrupt) {
      const broken = memoryStorage();
      await broken.set(key, text);
      const opening = EpochKeyring.open({
        storage: broken,
        convId: CONV,
        identity: alice.identity,
        directory: await newDirectory(),
      });
      await expect(opening, text).rejects.toBeInstanceOf(KeyStoreError);
      expect(await broken.get(key)).toBe(text);
    }
  });
});

describe("rotation rule", () => {
  const head = e1.commit; // ts = T0
  const due = (input: Partial<Parameters<typeof rotationDue>[1]>) =>
    rotationDue(head, { now: T0, messagesInEpoch: 0, holdsKey: true, ...input });

  it("rotates after 100 messages or 7 days", () => {
    expect(ROTATE_AFTER_MESSAGES).toBe(100);
    expect(ROTATE_AFTER_MS).toBe(604_800_000);
  });

  it.each<[string, Partial<Parameters<typeof rotationDue>[1]>, ReturnType<typeof rotationDue>]>([
    ["does not rotate at 99 messages", { messagesInEpoch: 99 }, undefined],
    ["rotates at 100 messages", { messagesInEpoch: 100 }, "messages"],
    ["rotates past 100 messages", { messagesInEpoch: 101 }, "messages"],
    ["does not rotate 1 ms before the head is 7 days old", { now: T0 + ROTATE_AFTER_MS - 1 }, undefined],
    ["rotates once the head is 7 days old", { now: T0 + ROTATE_AFTER_MS }, "age"],
    ["rotates after the head is 7 days old", { now: T0 + ROTATE_AFTER_MS + 1 }, "age"],
    ["does not rotate a fresh head whose key this device holds", {}, undefined],
    ["rotates at once on a member change", { memberSetChanged: true }, "members"],
    ["rotates at once on a policy change", { policyChanged: true }, "policy"],
    ["rotates at once when this device lacks the head's key", { holdsKey: false }, "no_key"],
  ])("%s", (_, input, reason) => {
    expect(due(input)).toBe(reason);
  });

  it("commits first on an empty chain", () => {
    expect(rotationDue(undefined, { now: T0, messagesInEpoch: 0, holdsKey: false })).toBe("no_epoch");
  });

  it("counts messages per epoch on the keyring and applies the rule to its head", async () => {
    const ka = await keyringFor(alice);
    expect(ka.needsRotation({ now: T0 })).toBe("no_epoch");
    await ka.apply([e1.commit]);
    expect(ka.needsRotation({ now: T0 })).toBeUndefined();
    for (let i = 0; i < ROTATE_AFTER_MESSAGES - 1; i++) await ka.noteMessage(1);
    expect(ka.messagesSince(1)).toBe(99);
    expect(ka.needsRotation({ now: T0 })).toBeUndefined();
    await ka.noteMessage(1);
    expect(ka.needsRotation({ now: T0 })).toBe("messages");
    await ka.apply([e2.commit]);
    expect(ka.needsRotation({ now: T0 })).toBeUndefined();
    await ka.noteMessage(2);
    expect(ka.messagesSince(1)).toBe(101);
    expect(ka.messagesSince(2)).toBe(1);
    expect(ka.needsRotation({ now: T0, messagesInEpoch: 100 })).toBe("messages");
    expect(ka.needsRotation({ now: T0 + ROTATE_AFTER_MS })).toBe("age");
  });
});

describe("skipping a commit that does not verify", () => {
  it("takes a chained commit that fails its checks as the tip, without key or members, and goes on over it", async () => {
    const keyring = await keyringFor(alice);
    await keyring.apply([e1.commit]);
    // Mallory is no member of epoch 1: her commit chains but does not verify.
    const bad = await commit(mallory, e1.commit, [alice, bob, mallory], "rotate");
    expect(await rejection(keyring.apply([bad.commit]))).toBe("not_a_member");
    await keyring.skip(bad.commit);
    expect(keyring.epoch).toBe(2);
    expect(keyring.head).toEqual(e1.commit);
    expect(keyring.tip).toEqual(bad.commit);
    expect(keyring.keyFor(2)).toBeUndefined();
    expect(keyring.needsRotation({ now: T0 })).toBe("no_key");
    // Who may commit over it is still epoch 1's members: Mallory's own member list counts for nothing.
    const byMallory = await commit(mallory, bad.commit, [alice, mallory], "rotate");
    expect(await rejection(keyring.apply([byMallory.commit]))).toBe("not_a_member");
    const byBob = await commit(bob, bad.commit, [alice, bob], "rotate");
    await keyring.apply([byBob.commit]);
    expect(keyring.head).toEqual(byBob.commit);
    expect(keyring.tip).toEqual(byBob.commit);
    expect(keyring.keyFor(3)).toEqual(byBob.epochKey);
  });

  it("refuses to skip a commit that breaks the chain (bad_chain)", async () => {
    const keyring = await keyringFor(alice);
    await keyring.apply([e1.commit]);
    const fork = await commit(alice, undefined, [alice, bob], "create");
    const onFork = await commit(alice, fork.commit, [alice, bob], "rotate");
    expect(await rejection(keyring.skip(onFork.commit))).toBe("bad_chain");
    expect(await rejection(keyring.skip(e3.commit))).toBe("bad_chain");
    expect(keyring.tip).toEqual(e1.commit);
  });
});
