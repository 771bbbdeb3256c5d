/**
 * Attack rows for team-key rotation (issue 17 item 8). A second agent, Bo,
 * reads a customer's end-to-end conversation through the team key; the admin
 * removes Bo. The shop's team key must rotate to version 2 (made by the admin's
 * device, vouched for by version 1), the conversation must move to an epoch
 * sealed to version 2 before anything more is sent, and Bo's device, given every
 * stored ciphertext and commit after the rotation and every key it held, opens
 * none of them. Ada keeps reading old and new messages, after a reload too. A
 * version 2 record not vouched for by version 1 (what a lying gateway or a
 * removed agent's forged key would be) is refused at `team.init`.
 */
import { memoryStorage, type ParleyClient } from "@parley/sdk";
import {
  createDeviceIdentity,
  createTeamKey,
  DeviceDirectory,
  EpochKeyring,
  loadOrCreateDeviceIdentity,
  openCommitKey,
  openTeamKeyWrap,
} from "@parley/sdk/crypto";
import { fromBase64Url } from "@parley/sdk/internal";
import { afterAll, beforeAll, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { SHOP_ID, startStack, type TestStack } from "../harness/stack.js";
import { collectTexts, openedBy, waitFor } from "../helpers.js";

const BO = { login: "bo@shop.test", password: "bo's long password 123" };

let stack: TestStack;
const clients: ParleyClient[] = [];
const track = (c: ParleyClient) => {
  clients.push(c);
  return c;
};

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

attack(
  {
    area: "team",
    attack: "removed agent's device, given every ciphertext and commit stored after the team-key rotation",
    expected: "team key rotates to version 2; 0 messages and 0 epoch keys open; the admin reads old and new",
  },
  async (row) => {
    const adaStorage = memoryStorage();
    const ada = track(stack.agent({ encryption: true, storage: adaStorage }));
    const toAda = collectTexts(ada);
    await ada.connect();
    await waitFor(async () => (await ada.request("team.get", { shopId: SHOP_ID })).key?.version === 1, "team key 1");

    await stack.gateway.admin.addAgent(SHOP_ID, { ...BO, displayName: "Bo", role: "agent", kind: "agent" });
    const boStorage = memoryStorage();
    const bo = track(
      stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login: BO.login, password: BO.password },
        encryption: true,
        storage: boStorage,
      }),
    );
    const toBo = collectTexts(bo);
    await bo.connect();
    await waitFor(async () => (await bo.request("team.wrap.get", {})).wraps.length > 0, "Bo's wrap of team key 1");

    const customer = track(stack.customer("rotation-customer", { encryption: true }));
    const toCustomer = collectTexts(customer);
    await customer.connect();
    const conv = await customer.openConversation();
    await customer.send(conv.id, "before");
    await bo.loadConversation(conv.id);
    await ada.loadConversation(conv.id);
    await waitFor(() => toBo.get(conv.id)?.includes("before") === true, "Bo reads the first message");
    await waitFor(() => toAda.get(conv.id)?.includes("before") === true, "Ada reads the first message");
    const boPrincipal = bo.principal.id;
    const seqBefore = (await stack.gateway.store.since(conv.id, 0, 100)).length;
    const v1 = await stack.gateway.store.getTeamKey(SHOP_ID, 1);
    const [boWrap] = await stack.gateway.store.listTeamWraps(SHOP_ID, 1, boPrincipal);
    await bo.close();

    await stack.gateway.admin.removeAgent(SHOP_ID, BO.login);
    await waitFor(
      async () => (await customer.request("team.get", { shopId: SHOP_ID })).key?.version === 2,
      "the admin's device rotates the team key to version 2",
    );
    const v2 = await stack.gateway.store.getTeamKey(SHOP_ID);
    expect(v2?.prevSig).toBeDefined();
    expect(await stack.gateway.store.listTeamWraps(SHOP_ID, 2, boPrincipal)).toEqual([]);

    const after = ["after-customer-1", "after-ada", "after-customer-2"];
    await customer.send(conv.id, after[0] ?? "");
    await ada.send(conv.id, after[1] ?? "");
    await customer.send(conv.id, after[2] ?? "");
    await waitFor(() => toAda.get(conv.id)?.includes(after[2] ?? "") === true, "Ada reads after the rotation");
    await waitFor(() => toCustomer.get(conv.id)?.includes(after[1] ?? "") === true, "the customer reads Ada");

    // Bo's device: its own keys, the team key version 1 it was given, every commit and envelope.
    const all = await stack.gateway.store.since(conv.id, 0, 100);
    const later = all.slice(seqBefore);
    expect(later).toHaveLength(3);
    const identity = await loadOrCreateDeviceIdentity(boStorage, `parley:device:${boPrincipal}`);
    if (!v1 || !boWrap) throw new Error("no team key 1 or no wrap of it for Bo");
    const team1 = await openTeamKeyWrap(boWrap, identity, v1);
    const teamKey = { boxPk: team1.boxPk, boxSk: team1.boxSk, version: 1 };
    const { commits } = await customer.request("epoch.list", { convId: conv.id, after: 0 });
    const laterEpochs = new Set(later.map((m) => m.envelope.epoch));
    const laterCommits = commits.filter((c) => laterEpochs.has(c.epoch));
    expect(laterCommits.length).toBeGreaterThan(0);
    expect(laterCommits.every((c) => c.teamWrapVersion === 2)).toBe(true);
    // Trying version 1 on each later team wrap, whatever the commit says it is sealed to.
    let keysOpened = 0;
    for (const c of laterCommits) {
      const asFormat1 = { ...c, v: 1 as const };
      delete asFormat1.teamWrapVersion;
      await openCommitKey(asFormat1, identity, teamKey).then(
        (k) => {
          if (k) keysOpened++;
        },
        () => undefined,
      );
    }
    const directory = await DeviceDirectory.open({ storage: boStorage, storageKey: `parley:devices:${boPrincipal}` });
    const keyring = await EpochKeyring.open({
      storage: memoryStorage(),
      convId: conv.id,
      identity,
      directory,
      storageKeyPrefix: `parley:epochs:${boPrincipal}:`,
    });
    const { devices } = await customer.request("device.list", {
      principalIds: [customer.principal.id, ada.principal.id],
    });
    await directory.learn(devices);
    await keyring.apply(commits, {
      teamKey,
      // Version 2's public record chains from version 1: Bo may verify with it, it only lacks the secret.
      teamSigPk: (version) => {
        const record = version === 1 ? v1 : version === 2 ? v2 : undefined;
        return record ? fromBase64Url(record.sigPk) : undefined;
      },
    });
    const { opened: decrypted, codec } = await openedBy(
      { identity, keyring, directory },
      later.map((m) => m.envelope),
    );
    // The same device did open the message before the rotation (the check is not blind).
    const first = all[0];
    const openedBefore = first
      ? await codec.open(first.envelope).then(
          () => true,
          () => false,
        )
      : false;

    // Ada on a fresh session with the same storage: old (team key 1) and new (team key 2) epochs.
    const adaAgain = track(stack.agent({ encryption: true, storage: adaStorage }));
    await adaAgain.connect();
    await adaAgain.loadConversation(conv.id);
    const textsOf = (c: ParleyClient) =>
      c.conversation(conv.id).value.messages.map((m) => (m.body?.type === "text" ? m.body.text : "<unreadable>"));
    await waitFor(
      () => ["before", ...after].every((t) => textsOf(adaAgain).includes(t)),
      "Ada's reload reads all four",
    ).catch(() => undefined);
    const adaTexts = textsOf(adaAgain);

    row.observed(
      `team key version ${v2?.version}; Bo opened ${decrypted} of ${later.length} later messages and ${keysOpened} of ` +
        `${laterCommits.length} later epoch keys (the first message before: ${openedBefore}); Ada's reload read ` +
        `${adaTexts.filter((t) => ["before", ...after].includes(t)).length} of 4`,
    );
    expect(openedBefore).toBe(true);
    expect(decrypted).toBe(0);
    expect(keysOpened).toBe(0);
    expect(adaTexts).toEqual(expect.arrayContaining(["before", ...after]));
  },
);

attack(
  {
    area: "team",
    attack: "team.init of a next version not vouched for by the current team key (forged or replayed prevSig)",
    expected: "forbidden, the version stays",
  },
  async (row) => {
    const ada = track(stack.agent({ encryption: true }));
    await ada.connect();
    const current = (await ada.request("team.get", { shopId: SHOP_ID })).key;
    if (!current) throw new Error("no team key");
    const { devices } = await ada.request("device.list", { principalIds: [ada.principal.id] });
    const own = devices[0];
    if (!own) throw new Error("no device");
    // A key the attacker made: vouched for by a version it holds that is not the current one.
    const stranger = await createTeamKey({
      identity: await createDeviceIdentity(),
      principalId: ada.principal.id,
      shopId: SHOP_ID,
      version: current.version,
    });
    const forged = await createTeamKey({
      identity: await createDeviceIdentity(),
      principalId: ada.principal.id,
      shopId: SHOP_ID,
      version: current.version + 1,
      previous: stranger,
    });
    const unvouched = { ...forged.record, createdBy: { principalId: ada.principal.id, deviceId: own.deviceId } };
    const { prevSig: _none, ...bare } = unvouched;
    const codes: string[] = [];
    for (const record of [unvouched, bare]) {
      await ada.request("team.init", { record }).then(
        () => codes.push("accepted"),
        (err: { code?: string }) => codes.push(err.code ?? "?"),
      );
    }
    const after = (await ada.request("team.get", { shopId: SHOP_ID })).key?.version;
    row.observed(`answers ${codes.join(", ")}; version ${current.version} -> ${after}`);
    expect(codes).toEqual(["forbidden", "forbidden"]);
    expect(after).toBe(current.version);
  },
);

attack(
  {
    area: "team",
    attack: "an agent is removed while no admin device is online",
    expected: "the rotation stays due and happens at the next admin sign-in",
  },
  async (row) => {
    const carl = { login: "carl@shop.test", password: "carl's long password 123" };
    await stack.gateway.admin.addAgent(SHOP_ID, { ...carl, displayName: "Carl", role: "agent", kind: "agent" });
    const adaStorage = memoryStorage();
    const ada = track(stack.agent({ encryption: true, storage: adaStorage }));
    await ada.connect();
    const carlClient = track(
      stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login: carl.login, password: carl.password },
        encryption: true,
      }),
    );
    await carlClient.connect();
    await waitFor(async () => (await carlClient.request("team.wrap.get", {})).wraps.length > 0, "Carl's wrap");
    const before = (await ada.request("team.get", { shopId: SHOP_ID })).key?.version ?? 0;
    // Every admin session closes; then Carl is removed.
    for (const c of clients) await c.close();
    await stack.gateway.admin.removeAgent(SHOP_ID, carl.login);
    await new Promise((r) => setTimeout(r, 300));
    const whileAway = (await stack.gateway.store.getTeamKey(SHOP_ID))?.version ?? 0;
    const adaBack = track(stack.agent({ encryption: true, storage: adaStorage }));
    await adaBack.connect();
    await waitFor(
      async () => (await adaBack.request("team.get", { shopId: SHOP_ID })).key?.version === before + 1,
      "the rotation at the admin's next sign-in",
    );
    const after = (await adaBack.request("team.get", { shopId: SHOP_ID })).key?.version ?? 0;
    const due = (await adaBack.request("team.devices", {})).rotationDue;
    row.observed(
      `version ${before}; ${whileAway} while no admin was online; ${after} after sign-in; still due: ${due}`,
    );
    expect(whileAway).toBe(before);
    expect(after).toBe(before + 1);
    expect(due).toBe(false);
  },
);
