/**
 * The epoch property: in any sequence of add / remove / send / reconnect /
 * rotate / concurrent commits, a device decrypts a message if and only if it
 * held that message's epoch key, i.e. it was a device of a member when that
 * epoch was committed.
 *
 * Everything cryptographic is real (buildCommit, DeviceDirectory,
 * EpochKeyring, sealMessage/openMessage over libsodium). The "gateway" below
 * is a model inside a property test, not a fake of the real gateway: a list of
 * commits with the same compare-and-set rule (epoch e+1 only while the head is
 * e, otherwise `conflict`) and a message list that refuses envelopes whose
 * epoch is not the head (`stale_epoch`). The real gateway's CAS and
 * membership checks are tested against the real server in gateway/test/.
 *
 * The oracle ("held") is computed from the model's intended membership when a
 * commit is accepted, never from the commit's wraps or a keyring.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { fromBase64Url } from "../base64url.js";
import type { Envelope } from "../protocol/envelope.js";
import type { DeviceRecord, EpochCommit } from "../protocol/models.js";
import { type KeyValueStorage, memoryStorage } from "../storage.js";
import { buildCommit } from "./commits.js";
import { DeviceDirectory } from "./device-directory.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { EpochKeyring } from "./keyring.js";
import { DecryptError, openMessage, sealMessage } from "./message-crypto.js";

const SEED = 20_261_124;
const RUNS = 150;
const CONV = "c_property000000000000000";
const PRINCIPALS = ["p_0", "p_1", "p_2", "p_3", "p_4"] as const;
const T0 = 1_700_000_000_000;

/** Two identities per principal, made once; each run uses the first 1 or 2 of them with fresh storage. */
const pool = await Promise.all(
  PRINCIPALS.map(async (principal) =>
    Promise.all(
      [0, 1].map(async () => {
        const identity = await createDeviceIdentity();
        return { principal, identity, record: await signDeviceRecord(identity, principal) };
      }),
    ),
  ),
);

type Command =
  | { t: "add"; p: number; by: number }
  | { t: "remove"; p: number; by: number }
  | { t: "send"; p: number; dev: number; fresh: boolean }
  | { t: "reconnect"; p: number }
  | { t: "rotate"; by: number }
  | { t: "race"; a: number; b: number; p: number; bFirst: boolean };

const principal = fc.nat({ max: PRINCIPALS.length - 1 });
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant("add" as const), p: principal, by: fc.nat(9) }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant("remove" as const), p: principal, by: fc.nat(9) }), weight: 2 },
  {
    arbitrary: fc.record({ t: fc.constant("send" as const), p: principal, dev: fc.nat(1), fresh: fc.boolean() }),
    weight: 6,
  },
  { arbitrary: fc.record({ t: fc.constant("reconnect" as const), p: principal }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant("rotate" as const), by: fc.nat(9) }), weight: 1 },
  {
    arbitrary: fc.record({
      t: fc.constant("race" as const),
      a: fc.nat(9),
      b: fc.nat(9),
      p: principal,
      bFirst: fc.boolean(),
    }),
    weight: 1,
  },
);

interface Device {
  principal: string;
  identity: DeviceIdentity;
  record: DeviceRecord;
  storage: KeyValueStorage;
  directory: DeviceDirectory;
  keyring: EpochKeyring;
}

const totals = {
  runs: 0,
  commands: 0,
  commits: 0,
  conflicts: 0,
  staleSends: 0,
  messages: 0,
  reloads: 0,
  checks: 0,
  decrypted: 0,
  removedTries: 0,
};

async function openDevice(
  entry: { principal: string; identity: DeviceIdentity; record: DeviceRecord },
  storage: KeyValueStorage,
  records: DeviceRecord[],
): Promise<Device> {
  const directory = await DeviceDirectory.open({ storage });
  await directory.learn(records);
  const keyring = await EpochKeyring.open({ storage, convId: CONV, identity: entry.identity, directory });
  return { ...entry, storage, directory, keyring };
}

async function runScenario(deviceCounts: number[], commands: Command[]): Promise<void> {
  const entries = pool.flatMap((devices, i) => devices.slice(0, deviceCounts[i] ?? 1));
  const records = entries.map((e) => e.record);
  const devices = await Promise.all(entries.map((e) => openDevice(e, memoryStorage(), records)));

  // The gateway model.
  const commits: EpochCommit[] = [];
  const messages: Array<{ envelope: Envelope; text: string }> = [];
  const gateway = {
    commit(c: EpochCommit): "ok" | "conflict" {
      if (c.epoch !== commits.length + 1) return "conflict";
      commits.push(c);
      return "ok";
    },
    /** `text` is the test's record of what was sealed, kept beside the envelope for the final check. */
    send(envelope: Envelope, text: string): "ok" | "stale_epoch" {
      if (envelope.epoch !== commits.length) return "stale_epoch";
      messages.push({ envelope, text });
      return "ok";
    },
  };

  // The oracle: the model's membership and which device held which epoch.
  let members = new Set<string>();
  const held = new Map<string, Set<number>>(devices.map((d) => [d.identity.deviceId, new Set()]));
  const removals: Array<{ principal: string; epoch: number }> = [];
  let clock = T0;
  /** The model's clock: 1 s per step, so timestamps are distinct and the 7-day rule never fires by accident. */
  const tick = () => {
    clock += 1000;
    return clock;
  };

  const devicesOf = (p: string) => devices.filter((d) => d.principal === p);
  const memberDevices = () => devices.filter((d) => members.has(d.principal));
  const sync = async (d: Device) => {
    await d.keyring.apply(commits.slice(d.keyring.epoch));
    expect(d.keyring.epoch).toBe(commits.length);
  };
  const build = async (d: Device, next: Set<string>, reason: EpochCommit["reason"]) =>
    buildCommit({
      identity: d.identity,
      principalId: d.principal,
      convId: CONV,
      prev: d.keyring.head,
      members: [...next].map((p) => ({ principalId: p, devices: d.directory.devicesOf(p) })),
      historyPolicy: "none",
      reason,
      now: tick(),
    });
  const accepted = (c: EpochCommit, epochKey: Uint8Array, next: Set<string>) => {
    for (const p of members) if (!next.has(p)) removals.push({ principal: p, epoch: c.epoch });
    members = new Set(next);
    for (const d of memberDevices()) held.get(d.identity.deviceId)?.add(c.epoch);
    totals.commits++;
    return epochKey;
  };
  /** Commits `next` from device `d` on the head it syncs to; asserts the model's CAS accepts it. */
  const commitFrom = async (d: Device, next: Set<string>, reason: EpochCommit["reason"]) => {
    await sync(d);
    const { commit, epochKey } = await build(d, next, reason);
    expect(gateway.commit(commit)).toBe("ok");
    accepted(commit, epochKey, next);
    await sync(d);
    if (next.has(d.principal)) expect(d.keyring.keyFor(commit.epoch)).toEqual(epochKey);
  };
  const pick = <T>(list: T[], n: number) => list[n % list.length] as T;

  for (const cmd of commands) {
    totals.commands++;
    switch (cmd.t) {
      case "add": {
        const p = PRINCIPALS[cmd.p] as string;
        if (members.has(p)) break;
        if (members.size === 0) {
          await commitFrom(pick(devicesOf(p), cmd.by), new Set([p]), commits.length === 0 ? "create" : "add");
        } else {
          await commitFrom(pick(memberDevices(), cmd.by), new Set([...members, p]), "add");
        }
        break;
      }
      case "remove": {
        const p = PRINCIPALS[cmd.p] as string;
        if (!members.has(p) || members.size < 2) break;
        const others = memberDevices().filter((d) => d.principal !== p);
        await commitFrom(pick(others, cmd.by), new Set([...members].filter((m) => m !== p)), "remove");
        break;
      }
      case "rotate": {
        if (members.size === 0) break;
        await commitFrom(pick(memberDevices(), cmd.by), new Set(members), "rotate");
        break;
      }
      case "send": {
        const p = PRINCIPALS[cmd.p] as string;
        if (!members.has(p)) break;
        const d = pick(devicesOf(p), cmd.dev);
        if (cmd.fresh || !d.keyring.keyFor(d.keyring.epoch)) await sync(d);
        const due = d.keyring.needsRotation({ now: tick() });
        if (due) {
          expect(["messages", "age"]).toContain(due);
          await commitFrom(d, new Set(members), "rotate");
        }
        const seal = async () => {
          const epoch = d.keyring.epoch;
          const epochKey = d.keyring.keyFor(epoch);
          expect(epochKey, `device of member ${p} holds its head key`).toBeDefined();
          const text = `m${messages.length} from ${d.identity.deviceId} at ${epoch}`;
          const header = {
            v: 1 as const,
            convId: CONV,
            epoch,
            msgId: `m_prop_${String(totals.messages).padStart(12, "0")}`,
            senderDevice: d.identity.deviceId,
            ts: tick(),
          };
          const envelope = await sealMessage({
            header,
            body: { type: "text", text },
            epochKey: epochKey as Uint8Array,
            signer: d.identity.sign.secretKey,
          });
          return { envelope, text };
        };
        let sealed = await seal();
        const stale = d.keyring.epoch !== commits.length;
        const first = gateway.send(sealed.envelope, sealed.text);
        expect(first === "stale_epoch").toBe(stale);
        if (first === "stale_epoch") {
          totals.staleSends++;
          await sync(d);
          sealed = await seal();
          expect(gateway.send(sealed.envelope, sealed.text)).toBe("ok");
        }
        await d.keyring.noteMessage(sealed.envelope.epoch);
        totals.messages++;
        break;
      }
      case "reconnect": {
        for (const d of devicesOf(PRINCIPALS[cmd.p] as string)) {
          const before = {
            head: d.keyring.head,
            keys: Array.from({ length: d.keyring.epoch }, (_, i) => d.keyring.keyFor(i + 1)),
          };
          const reopened = await openDevice(d, d.storage, records);
          expect(reopened.keyring.head).toEqual(before.head);
          for (let e = 1; e <= before.keys.length; e++) expect(reopened.keyring.keyFor(e)).toEqual(before.keys[e - 1]);
          d.directory = reopened.directory;
          d.keyring = reopened.keyring;
          await sync(d);
          totals.reloads++;
        }
        break;
      }
      case "race": {
        const candidates = memberDevices();
        if (candidates.length < 2) break;
        const devA = pick(candidates, cmd.a);
        const devB = pick(
          candidates.filter((d) => d !== devA),
          cmd.b,
        );
        await sync(devA);
        await sync(devB);
        const target = PRINCIPALS[cmd.p] as string;
        const intentB = (current: Set<string>) => {
          if (!current.has(target)) return { next: new Set([...current, target]), reason: "add" as const };
          if (current.size >= 2 && target !== devB.principal) {
            return { next: new Set([...current].filter((m) => m !== target)), reason: "remove" as const };
          }
          return { next: new Set(current), reason: "rotate" as const };
        };
        const a = { d: devA, next: new Set(members), reason: "rotate" as const };
        const b = { d: devB, ...intentB(members) };
        const builtA = await build(a.d, a.next, a.reason);
        const builtB = await build(b.d, b.next, b.reason);
        expect(builtA.commit.epoch).toBe(builtB.commit.epoch);
        const [winner, loser] = cmd.bFirst ? [{ ...b, built: builtB }, a] : [{ ...a, built: builtA }, b];
        const loserBuilt = cmd.bFirst ? builtA : builtB;
        expect(gateway.commit(winner.built.commit)).toBe("ok");
        expect(gateway.commit(loserBuilt.commit)).toBe("conflict");
        totals.conflicts++;
        accepted(winner.built.commit, winner.built.epochKey, winner.next);
        // The loser applies the winner's commit and rebuilds its intent on the new head.
        await sync(loser.d);
        if (!members.has(loser.d.principal)) break;
        const retry = loser === b ? intentB(members) : { next: new Set(members), reason: "rotate" as const };
        const rebuilt = await build(loser.d, retry.next, retry.reason);
        expect(rebuilt.commit.epoch).toBe(winner.built.commit.epoch + 1);
        expect(gateway.commit(rebuilt.commit)).toBe("ok");
        accepted(rebuilt.commit, rebuilt.epochKey, retry.next);
        break;
      }
    }
  }

  // Every device catches up, then tries every message.
  for (const d of devices) await sync(d);
  for (const { envelope, text } of messages) {
    for (const d of devices) {
      const epochKey = d.keyring.keyFor(envelope.epoch);
      const senderSigPk = d.directory.findDevice(envelope.senderDevice);
      expect(senderSigPk).toBeDefined();
      let decrypted = false;
      if (epochKey) {
        const body = await openMessage({ envelope, epochKey, senderSigPk: fromRecord(senderSigPk) });
        expect(body).toEqual({ type: "text", text });
        decrypted = true;
      }
      const shouldHold = held.get(d.identity.deviceId)?.has(envelope.epoch) ?? false;
      expect(decrypted, `${d.principal}/${d.identity.deviceId} epoch ${envelope.epoch}`).toBe(shouldHold);
      totals.checks++;
      if (decrypted) totals.decrypted++;
    }
  }

  // A removed device decrypts 0 later messages, even trying every key it holds.
  for (const removal of removals) {
    for (const d of devicesOf(removal.principal)) {
      const keys = Array.from({ length: d.keyring.epoch }, (_, i) => d.keyring.keyFor(i + 1)).filter(
        (k): k is Uint8Array => k !== undefined,
      );
      for (const { envelope } of messages) {
        if (envelope.epoch < removal.epoch || held.get(d.identity.deviceId)?.has(envelope.epoch)) continue;
        totals.removedTries++;
        expect(d.keyring.keyFor(envelope.epoch)).toBeUndefined();
        const senderSigPk = fromRecord(d.directory.findDevice(envelope.senderDevice));
        for (const epochKey of keys) {
          await expect(openMessage({ envelope, epochKey, senderSigPk })).rejects.toBeInstanceOf(DecryptError);
        }
      }
    }
  }
  totals.runs++;
}

function fromRecord(record: DeviceRecord | undefined): Uint8Array {
  if (!record) throw new Error("unknown sender");
  return fromBase64Url(record.sigPk);
}

describe("epochs (model-based property)", () => {
  afterAll(() => {
    console.log(`epoch property: seed ${SEED}, ${RUNS} runs`, totals);
  });

  it("a device decrypts a message if and only if it held that message's epoch key", async () => {
    console.log(`epoch property: fast-check seed ${SEED}, numRuns ${RUNS}`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 2 }), { minLength: PRINCIPALS.length, maxLength: PRINCIPALS.length }),
        fc.array(command, { minLength: 8, maxLength: 40 }),
        async (deviceCounts, commands) => runScenario(deviceCounts, commands),
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(totals.runs).toBeGreaterThanOrEqual(RUNS);
    expect(totals.conflicts).toBeGreaterThan(0);
    expect(totals.staleSends).toBeGreaterThan(0);
    expect(totals.removedTries).toBeGreaterThan(0);
    expect(totals.decrypted).toBeLessThan(totals.checks);
  });
});
