/**
 * Attack rows for epoch integrity at the gateway (issue 17, item 5): a member
 * posts garbage commits for the next epoch, registers more devices than the cap,
 * or reuses another principal's device id. Encrypted SDK clients (a customer
 * and the admin agent) must keep talking through all of it.
 */
import type { ParleyClient } from "@parley/sdk";
import { buildCommit, createDeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import { toBase64Url } from "@parley/sdk/internal";
import type { DeviceRecord, EpochCommit, RpcReply } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { type MongoForTests, mongoForTests } from "../harness/ferretdb.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { collectTexts, waitFor } from "../helpers.js";
import { openSession, postJson, type RawNats, rawNats } from "./kit.js";

const random = (n: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(n)));
const codeOf = (reply: RpcReply) => (reply.ok ? "ok" : reply.error.code);

let stack: TestStack;
const clients: ParleyClient[] = [];
const raws: RawNats[] = [];

/** An encrypted customer and the encrypted admin agent in a conversation of the customer's, both connected. */
async function encryptedPair(sub: string) {
  const agent = stack.agent({ encryption: true });
  const owner = stack.customer(sub, { encryption: true });
  clients.push(agent, owner);
  const toAgent = collectTexts(agent);
  const toOwner = collectTexts(owner);
  await agent.connect();
  await owner.connect();
  const convId = (await owner.openConversation()).id;
  await agent.loadConversation(convId);
  return { agent, owner, convId, toAgent, toOwner };
}

/** Sends one message each way; resolves with how many arrived (0 to 2) within 10 s each, never throws. */
async function exchange(pair: Awaited<ReturnType<typeof encryptedPair>>, label: string): Promise<number> {
  const { agent, owner, convId, toAgent, toOwner } = pair;
  const within = (work: Promise<unknown>) =>
    Promise.race([
      work.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]).catch(() => false);
  const toA = `${label}-to-agent`;
  if (!(await within(owner.send(convId, toA).then(() => waitFor(() => toAgent.get(convId)?.includes(toA), toA)))))
    return 0;
  const toO = `${label}-to-owner`;
  if (!(await within(agent.send(convId, toO).then(() => waitFor(() => toOwner.get(convId)?.includes(toO), toO)))))
    return 1;
  return 2;
}

/** A raw customer session (the attacker) that joined `convId` by the owner's invite, with a registered device. */
async function invitedAttacker(owner: ParleyClient, convId: string, sub: string) {
  const raw = await rawNats(stack, await openSession(stack, { token: await stack.customerToken(sub) }));
  raws.push(raw);
  const handle = sub.replace(/-/g, "_");
  expect(codeOf(await raw.rpc("profile.update", { handle }))).toBe("ok");
  const invite = await owner.invite(convId, `@${handle}`);
  expect(codeOf(await raw.rpc("invite.accept", { inviteId: invite.id }))).toBe("ok");
  // The owner's client commits the new member in: the head is settled once that commit is stored.
  await waitFor(async () => {
    const { commits } = await owner.request("epoch.list", { convId, after: 1 });
    return commits.some((c) => c.reason === "add");
  }, "the owner's commit adding the attacker");
  const identity = await createDeviceIdentity();
  const record = await signDeviceRecord(identity, raw.principal);
  expect(codeOf(await raw.rpc("device.register", { record }))).toBe("ok");
  return { raw, identity, record };
}

/** Garbage for the next epoch: random signature and `prevHash`, or a real signature over a made-up predecessor. */
async function garbageCommit(
  convId: string,
  epoch: number,
  attacker: Awaited<ReturnType<typeof invitedAttacker>>,
  signed: boolean,
): Promise<EpochCommit> {
  const members = [{ principalId: attacker.raw.principal, devices: [attacker.record] }];
  if (signed) {
    const fakePrev = (
      await buildCommit({
        identity: attacker.identity,
        principalId: attacker.raw.principal,
        convId,
        prev: undefined,
        members,
        historyPolicy: "none",
        reason: "create",
      })
    ).commit;
    const { commit } = await buildCommit({
      identity: attacker.identity,
      principalId: attacker.raw.principal,
      convId,
      prev: { ...fakePrev, epoch: epoch - 1 },
      members,
      historyPolicy: "none",
      reason: "rotate",
    });
    return commit;
  }
  return {
    v: 1,
    convId,
    epoch,
    prevHash: random(32),
    committer: { principalId: attacker.raw.principal, deviceId: attacker.record.deviceId },
    members: [{ principalId: attacker.raw.principal, deviceIds: [attacker.record.deviceId] }],
    wraps: [{ deviceId: attacker.record.deviceId, sealed: random(80) }],
    teamWrap: random(80),
    historyPolicy: "none",
    reason: "rotate",
    ts: Date.now(),
    teamVersion: 0,
    sig: random(64),
    teamSig: "",
  };
}

// Every row on both stores: the device rows run the store's device queries (deviceOwners, deleteDevice).
for (const store of ["sqlite", "mongodb"] as const) {
  describe(store, () => {
    let mongo: MongoForTests | undefined;
    beforeAll(async () => {
      mongo = store === "mongodb" ? await mongoForTests() : undefined;
      stack = await startStack(mongo ? { mongo: { uri: mongo.uri, dbName: mongo.dbName } } : {});
    });
    afterAll(async () => {
      for (const c of clients.splice(0)) await c.close().catch(() => undefined);
      for (const r of raws.splice(0)) await r.close().catch(() => undefined);
      await stack?.[Symbol.asyncDispose]();
      await mongo?.[Symbol.asyncDispose]();
    });

    attack(
      {
        area: `epochs (${store})`,
        attack: "member posts a garbage commit for the next epoch (random sig and prevHash)",
        expected: "refused with bad_commit; the head stays where it was",
      },
      async (row) => {
        const pair = await encryptedPair("garbage-one");
        const attacker = await invitedAttacker(pair.owner, pair.convId, "garbage-one-attacker");
        const head = (await attacker.raw.rpc("conv.get", { convId: pair.convId })) as RpcReply<"conv.get">;
        const epoch = head.ok ? head.result.conversation.epoch : -1;
        const reply = await attacker.raw.rpc("epoch.commit", {
          commit: await garbageCommit(pair.convId, epoch + 1, attacker, false),
        });
        const after = (await attacker.raw.rpc("conv.get", { convId: pair.convId })) as RpcReply<"conv.get">;
        const epochAfter = after.ok ? after.result.conversation.epoch : -1;
        row.observed(`answer ${codeOf(reply)}; head epoch ${epoch} -> ${epochAfter}`);
        expect(codeOf(reply)).toBe("bad_commit");
        expect(epochAfter).toBe(epoch);
      },
    );

    attack(
      {
        area: `epochs (${store})`,
        attack: "member posts 50 garbage commits (random and validly signed over a made-up prevHash)",
        expected: "50 of 50 refused (bad_commit); an encrypted customer and agent keep exchanging messages",
      },
      async (row) => {
        const pair = await encryptedPair("garbage-fifty");
        const attacker = await invitedAttacker(pair.owner, pair.convId, "garbage-fifty-attacker");
        expect(await exchange(pair, "before")).toBe(2);
        const codes = new Map<string, number>();
        for (let i = 0; i < 50; i++) {
          const got = (await attacker.raw.rpc("conv.get", { convId: pair.convId })) as RpcReply<"conv.get">;
          const epoch = got.ok ? got.result.conversation.epoch : 0;
          const reply = await attacker.raw.rpc("epoch.commit", {
            commit: await garbageCommit(pair.convId, epoch + 1, attacker, i % 2 === 1),
          });
          codes.set(codeOf(reply), (codes.get(codeOf(reply)) ?? 0) + 1);
        }
        const arrived = await exchange(pair, "after");
        const summary = [...codes].map(([code, n]) => `${n} ${code}`).join(", ");
        row.observed(`${summary}; afterwards ${arrived} of 2 messages arrived`);
        expect(codes.get("bad_commit")).toBe(50);
        expect(arrived).toBe(2);
      },
      { timeout: 40_000 },
    );

    attack(
      {
        area: `epochs (${store})`,
        attack: "member registers a 17th device, then the owner's client commits it in",
        expected:
          "at most 10 devices kept (PARLEY_MAX_DEVICES; the least recently seen is evicted); messages keep flowing",
      },
      async (row) => {
        const pair = await encryptedPair("many-devices");
        const raw = await rawNats(
          stack,
          await openSession(stack, { token: await stack.customerToken("many-devices-x") }),
        );
        raws.push(raw);
        const codes: string[] = [];
        const records: DeviceRecord[] = [];
        for (let i = 0; i < 17; i++) {
          const record = await signDeviceRecord(await createDeviceIdentity(), raw.principal);
          records.push(record);
          codes.push(codeOf(await raw.rpc("device.register", { record })));
        }
        const listed = (await raw.rpc("device.list", { principalIds: [raw.principal] })) as RpcReply<"device.list">;
        const kept = listed.ok ? listed.result.devices.map((d) => d.deviceId) : [];
        // The owner invites the many-device member: its client commits an epoch listing that member's devices.
        expect(codeOf(await raw.rpc("profile.update", { handle: "many_devices_x" }))).toBe("ok");
        const invite = await pair.owner.invite(pair.convId, "@many_devices_x");
        expect(codeOf(await raw.rpc("invite.accept", { inviteId: invite.id }))).toBe("ok");
        const arrived = await exchange(pair, "devices");
        row.observed(
          `${codes.filter((c) => c === "ok").length} of 17 registrations answered ok; ${kept.length} devices kept ` +
            `(newest kept: ${kept.includes(records[16]?.deviceId ?? "")}); afterwards ${arrived} of 2 messages arrived`,
        );
        expect(kept.length).toBeLessThanOrEqual(10);
        expect(kept).toContain(records[16]?.deviceId);
        expect(kept).not.toContain(records[0]?.deviceId);
        expect(arrived).toBe(2);
      },
      { timeout: 40_000 },
    );

    attack(
      {
        area: `epochs (${store})`,
        attack: "principal registers another principal's device id (device.register and session sign-in)",
        expected: "refused with device_taken both ways; the owner's record unchanged",
      },
      async (row) => {
        const victim = await rawNats(
          stack,
          await openSession(stack, { token: await stack.customerToken("dev-victim") }),
        );
        const thief = await rawNats(stack, await openSession(stack, { token: await stack.customerToken("dev-thief") }));
        raws.push(victim, thief);
        const mine = await signDeviceRecord(await createDeviceIdentity(), victim.principal);
        expect(codeOf(await victim.rpc("device.register", { record: mine }))).toBe("ok");
        const stolen = await signDeviceRecord(
          { ...(await createDeviceIdentity()), deviceId: mine.deviceId },
          thief.principal,
        );
        const viaRpc = codeOf(await thief.rpc("device.register", { record: stolen }));
        const viaSession = await postJson(stack, "/v1/session", {
          shopId: SHOP_ID,
          token: await stack.customerToken("dev-thief"),
          device: { deviceId: stolen.deviceId, sigPk: stolen.sigPk, boxPk: stolen.boxPk },
        });
        const sessionCode = (viaSession.body as { error?: { code?: string } }).error?.code ?? "none";
        const thiefDevices = (await thief.rpc("device.list", {
          principalIds: [thief.principal],
        })) as RpcReply<"device.list">;
        const victimDevices = (await victim.rpc("device.list", {
          principalIds: [victim.principal],
        })) as RpcReply<"device.list">;
        const thiefHas = thiefDevices.ok && thiefDevices.result.devices.some((d) => d.deviceId === mine.deviceId);
        const victimRecord = victimDevices.ok
          ? victimDevices.result.devices.find((d) => d.deviceId === mine.deviceId)
          : undefined;
        row.observed(
          `device.register: ${viaRpc}; session sign-in: ${viaSession.status} ${sessionCode}; thief lists it: ${thiefHas}`,
        );
        expect(viaRpc).toBe("device_taken");
        expect(sessionCode).toBe("device_taken");
        expect(thiefHas).toBe(false);
        expect(victimRecord).toEqual(mine);
      },
    );
  });
}
