/**
 * The gateway's side of a shop team's key: version compare-and-set on init,
 * who may init, list, wrap and fetch, and the `team` events on the team
 * subject. The gateway opens no wrap and verifies no signature but a
 * rotation's vouch (`prevSig` by the version before), so records here carry
 * real registered devices but random wrap and creator signature bytes; the
 * version 1 keys that rivals race with are real, so that version 2 can be vouched for. Events are read on a raw NATS connection of the admin
 * principal, independent of the SDK client's event API.
 */
import type { ParleyClient } from "@parley/sdk";
import { createDeviceIdentity, createTeamKey, signDeviceRecord, type TeamKeySecret } from "@parley/sdk/crypto";
import { toBase64Url } from "@parley/sdk/internal";
import type { DeviceRecord, ServerEvent, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_LOGIN, SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

type TeamEvent = Extract<ServerEvent, { type: "team" }>;

const random = (n: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(n)));

async function registeredDevice(client: ParleyClient): Promise<DeviceRecord> {
  const record = await signDeviceRecord(await createDeviceIdentity(), client.principal.id);
  await client.request("device.register", { record });
  return record;
}

const teamKey = (version: number, by: DeviceRecord, shopId = SHOP_ID): TeamKeyRecord => ({
  shopId,
  version,
  boxPk: random(32),
  sigPk: random(32),
  createdBy: { principalId: by.principal, deviceId: by.deviceId },
  ts: Date.now(),
  sig: random(64),
});

/** Secrets of the real team keys made here, by their sigPk. */
const secrets = new Map<string, TeamKeySecret>();

/** A real team key record named as made by `by` (the creator signature is by another key: the gateway does not check it). */
async function realTeamKey(version: number, by: DeviceRecord, previous?: TeamKeyRecord): Promise<TeamKeyRecord> {
  const prevSecret = previous ? secrets.get(previous.sigPk) : undefined;
  const made = await createTeamKey({
    identity: { ...(await createDeviceIdentity()), deviceId: by.deviceId },
    principalId: by.principal,
    shopId: SHOP_ID,
    version,
    ...(previous && prevSecret ? { previous: { record: previous, secret: prevSecret } } : {}),
  });
  secrets.set(made.record.sigPk, made.secret);
  return made.record;
}

const wrapFor = (version: number, target: DeviceRecord, by: DeviceRecord): TeamKeyWrap => ({
  shopId: SHOP_ID,
  version,
  deviceId: target.deviceId,
  principalId: target.principal,
  sealed: random(112),
  wrappedBy: { principalId: by.principal, deviceId: by.deviceId },
  ts: Date.now(),
  sig: random(64),
});

describe("team keys at the gateway", () => {
  let stack: TestStack;
  let admin: ParleyClient;
  let grace: ParleyClient;
  let customer: ParleyClient;
  let lookalike: ParleyClient;
  let adminDevice: DeviceRecord;
  let graceDevice: DeviceRecord;
  let customerDevice: DeviceRecord;
  let current: TeamKeyRecord;
  let closeListener: () => Promise<void>;
  const heard: TeamEvent[] = [];

  /** Registers a fresh device for `client` and waits until the team heard it wait: later events are after it. */
  async function barrier(client: ParleyClient): Promise<DeviceRecord> {
    const device = await registeredDevice(client);
    await waitFor(() => heard.some((e) => e.change === "device-waiting" && e.deviceId === device.deviceId), "barrier");
    return device;
  }

  beforeAll(async () => {
    stack = await startStack();
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "grace@shop.test",
      password: "grace's long password",
      displayName: "Grace",
      role: "agent",
      kind: "agent",
    });
    admin = stack.agent();
    grace = stack.client({
      auth: { kind: "agent", shopId: SHOP_ID, login: "grace@shop.test", password: "grace's long password" },
    });
    customer = stack.customer("team-customer");
    // A customer whose token subject equals the admin's login: same external id, different principal.
    lookalike = stack.customer(AGENT_LOGIN);
    for (const c of [admin, grace, customer, lookalike]) await c.connect();

    const { jwt } = await stack.nats.minter.mintPrincipal({
      principalId: admin.principal.id,
      kind: "agent",
      shopId: SHOP_ID,
      ttlSeconds: 300,
    });
    const nc = await stack.nats.wsConnect(jwt, { inboxPrefix: `_INBOX_${admin.principal.id}` });
    nc.subscribe(`team.${SHOP_ID}.ev`, {
      callback: (err, msg) => {
        if (err) return;
        const event = JSON.parse(new TextDecoder().decode(msg.data)) as ServerEvent;
        if (event.type === "team") heard.push(event);
      },
    });
    await nc.flush();
    closeListener = () => nc.close();

    adminDevice = await registeredDevice(admin);
    customerDevice = await registeredDevice(customer);
  });

  afterAll(async () => {
    await closeListener?.();
    for (const c of [admin, grace, customer, lookalike]) await c?.close();
    await stack?.[Symbol.asyncDispose]();
  });

  it("answers team.get with null before the first key, to customers and the team alike", async () => {
    expect(await customer.request("team.get", { shopId: SHOP_ID })).toEqual({ key: null });
    expect(await admin.request("team.get", { shopId: SHOP_ID })).toEqual({ key: null });
    expect(await admin.request("team.devices", {})).toMatchObject({ key: null });
    expect(await grace.request("team.wrap.get", {})).toEqual({ key: null, wraps: [] });
  });

  it("refuses team.init from customers, non-admin agents, foreign devices and for another shop", async () => {
    const lookalikeDevice = await registeredDevice(lookalike);
    const graceOwn = await registeredDevice(grace);
    const unregistered = await signDeviceRecord(await createDeviceIdentity(), admin.principal.id);
    const attempts: Array<[ParleyClient, TeamKeyRecord]> = [
      [customer, teamKey(1, customerDevice)],
      [lookalike, teamKey(1, lookalikeDevice)],
      [grace, teamKey(1, graceOwn)],
      [grace, teamKey(1, adminDevice)],
      [admin, teamKey(1, unregistered)],
      [admin, teamKey(1, graceOwn)],
      [admin, teamKey(1, adminDevice, "shop_other")],
    ];
    for (const [client, record] of attempts) {
      await expect(client.request("team.init", { record })).rejects.toMatchObject({ code: "forbidden" });
    }
    expect(await customer.request("team.get", { shopId: SHOP_ID })).toEqual({ key: null });
  });

  it("lets exactly one of two concurrent inits of version 1 win and tells the team once", async () => {
    const secondAdminDevice = await registeredDevice(admin);
    const rivals = [await realTeamKey(1, adminDevice), await realTeamKey(1, secondAdminDevice)];
    const results = await Promise.allSettled(rivals.map((record) => admin.request("team.init", { record })));
    const won = results.findIndex((r) => r.status === "fulfilled");
    expect(won).toBeGreaterThanOrEqual(0);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results[won] as PromiseFulfilledResult<{ version: number }>).value).toEqual({ version: 1 });
    const loser = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: "conflict" });
    expect(String(loser.reason.message)).toContain("version 1");
    current = rivals[won] as TeamKeyRecord;
    // Public: a customer reads the team's key to seal epoch keys to it.
    expect(await customer.request("team.get", { shopId: SHOP_ID })).toEqual({ key: current });
    // A gap or a repeat is refused too.
    await expect(admin.request("team.init", { record: teamKey(3, adminDevice) })).rejects.toMatchObject({
      code: "conflict",
    });
    await expect(admin.request("team.init", { record: teamKey(1, adminDevice) })).rejects.toMatchObject({
      code: "conflict",
    });
    await barrier(admin);
    expect(heard.filter((e) => e.change === "key-changed")).toEqual([
      { type: "team", change: "key-changed", shopId: SHOP_ID },
    ]);
  });

  it("tells the team when a new agent's device waits, and team.devices lists it unwrapped", async () => {
    graceDevice = await registeredDevice(grace);
    const waiting = await waitFor(
      () => heard.find((e) => e.change === "device-waiting" && e.deviceId === graceDevice.deviceId),
      "device-waiting",
    );
    expect(waiting).toEqual({
      type: "team",
      change: "device-waiting",
      shopId: SHOP_ID,
      deviceId: graceDevice.deviceId,
    });
    const { key, devices } = await admin.request("team.devices", {});
    expect(key).toEqual(current);
    expect(devices).toContainEqual({ device: graceDevice, wrapped: false });
    expect(devices).toContainEqual({ device: adminDevice, wrapped: false });
    // Only the team's devices: no customer's.
    expect(
      devices.every((d) => d.device.principal === admin.principal.id || d.device.principal === grace.principal.id),
    ).toBe(true);
    for (const client of [grace, customer, lookalike]) {
      await expect(client.request("team.devices", {})).rejects.toMatchObject({ code: "forbidden" });
    }
  });

  it("wraps the key to the device: it lists wrapped and the agent fetches exactly its wrap", async () => {
    const wrap = wrapFor(1, graceDevice, adminDevice);
    await expect(grace.request("team.wrap.put", { wrap: wrapFor(1, graceDevice, graceDevice) })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await admin.request("team.wrap.put", { wrap })).toEqual({ ok: true });
    await waitFor(
      () => heard.some((e) => e.change === "wrapped" && e.deviceId === graceDevice.deviceId),
      "wrapped event",
    );
    const { devices } = await admin.request("team.devices", {});
    expect(devices).toContainEqual({ device: graceDevice, wrapped: true });
    expect(devices).toContainEqual({ device: adminDevice, wrapped: false });
    expect(await grace.request("team.wrap.get", {})).toEqual({ key: current, wraps: [wrap] });
    expect(await admin.request("team.wrap.get", {})).toEqual({ key: current, wraps: [] });
    for (const client of [customer, lookalike]) {
      await expect(client.request("team.wrap.get", {})).rejects.toMatchObject({ code: "forbidden" });
    }
    // The same device registering again, unchanged and wrapped, keeps quiet.
    await grace.request("device.register", { record: graceDevice });
    await barrier(grace);
    expect(heard.filter((e) => e.change === "device-waiting" && e.deviceId === graceDevice.deviceId)).toHaveLength(1);
  });

  it("refuses wraps to customers' or unregistered devices, from foreign devices, and for a stale version", async () => {
    const refused: TeamKeyWrap[] = [
      wrapFor(1, customerDevice, adminDevice),
      // A customer's device passed off as the agent's.
      { ...wrapFor(1, customerDevice, adminDevice), principalId: grace.principal.id },
      wrapFor(1, await signDeviceRecord(await createDeviceIdentity(), grace.principal.id), adminDevice),
      wrapFor(1, graceDevice, await signDeviceRecord(await createDeviceIdentity(), admin.principal.id)),
      wrapFor(1, graceDevice, graceDevice),
      { ...wrapFor(1, graceDevice, adminDevice), shopId: "shop_other" },
    ];
    for (const wrap of refused) {
      await expect(admin.request("team.wrap.put", { wrap })).rejects.toMatchObject({ code: "forbidden" });
    }
    for (const client of [customer, lookalike]) {
      await expect(
        client.request("team.wrap.put", { wrap: wrapFor(1, graceDevice, customerDevice) }),
      ).rejects.toMatchObject({ code: "forbidden" });
    }
    await expect(admin.request("team.wrap.put", { wrap: wrapFor(2, graceDevice, adminDevice) })).rejects.toMatchObject({
      code: "conflict",
    });

    // Rotation: version 2 must be vouched for by version 1; then it makes every wrap of version 1 stale.
    await expect(admin.request("team.init", { record: teamKey(2, adminDevice) })).rejects.toMatchObject({
      code: "forbidden",
    });
    const first = (await admin.request("team.get", { shopId: SHOP_ID })).key;
    if (!first) throw new Error("no version 1");
    const next = await realTeamKey(2, adminDevice, first);
    expect(await admin.request("team.init", { record: next })).toEqual({ version: 2 });
    await expect(admin.request("team.wrap.put", { wrap: wrapFor(1, graceDevice, adminDevice) })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await customer.request("team.get", { shopId: SHOP_ID })).toEqual({ key: next });
    expect((await admin.request("team.devices", {})).devices).toContainEqual({ device: graceDevice, wrapped: false });
    expect(await grace.request("team.wrap.get", {})).toEqual({ key: next, wraps: [] });
    await waitFor(() => heard.filter((e) => e.change === "key-changed").length === 2, "second key-changed");
  });

  it("after a login holding the key is removed: rotation-due, rotationDue until the next version, and its devices drop out", async () => {
    const key = (await admin.request("team.get", { shopId: SHOP_ID })).key;
    if (!key) throw new Error("no team key");
    expect((await admin.request("team.devices", {})).rotationDue).toBe(false);
    await admin.request("team.wrap.put", { wrap: wrapFor(key.version, graceDevice, adminDevice) });
    await stack.gateway.admin.removeAgent(SHOP_ID, "grace@shop.test");
    await waitFor(() => heard.some((e) => e.change === "rotation-due"), "rotation-due");
    const listed = await admin.request("team.devices", {});
    expect(listed.rotationDue).toBe(true);
    expect(listed.devices.map((d) => d.device.principal)).not.toContain(graceDevice.principal);
    await expect(
      admin.request("team.wrap.put", { wrap: wrapFor(key.version, graceDevice, adminDevice) }),
    ).rejects.toMatchObject({ code: "forbidden" });
    const next = await realTeamKey(key.version + 1, adminDevice, key);
    expect(await admin.request("team.init", { record: next })).toEqual({ version: key.version + 1 });
    expect((await admin.request("team.devices", {})).rotationDue).toBe(false);
  });
});
