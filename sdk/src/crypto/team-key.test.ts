import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { DeviceRecord, TeamKeyRecord, TeamKeyWrap } from "../protocol/models.js";
import { teamKeyRecordSchema, teamKeyWrapSchema } from "../protocol/schemas.js";
import { openCommitKey } from "./commits.js";
import { createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "./device-keys.js";
import { buildCommit } from "./index.js";
import {
  createTeamKey,
  openTeamKeyWrap,
  TeamKeyError,
  verifyTeamKeyRecord,
  verifyTeamKeyWrap,
  wrapTeamKey,
} from "./team-key.js";

interface Device {
  identity: DeviceIdentity;
  record: DeviceRecord;
}
const device = async (principal: string): Promise<Device> => {
  const identity = await createDeviceIdentity();
  return { identity, record: await signDeviceRecord(identity, principal) };
};
const admin = await device("a_admin");
const agent = await device("a_agent");
const other = await device("a_other");
const made = await createTeamKey({ identity: admin.identity, principalId: "a_admin", shopId: "shop_1", version: 1 });
const wrap = await wrapTeamKey({
  secret: made.secret,
  record: made.record,
  to: agent.record,
  wrapper: admin.identity,
  wrapperPrincipalId: "a_admin",
});

/** Flips one bit of a base64url field, keeping it valid base64url of the same length. */
function flip(text: string, byteIndex: number): string {
  const bytes = fromBase64Url(text);
  bytes[byteIndex % bytes.length] = (bytes[byteIndex % bytes.length] ?? 0) ^ 1;
  return toBase64Url(bytes);
}

describe("team keys", () => {
  it("makes a record the wire schema accepts, signed by the creating device", async () => {
    expect(teamKeyRecordSchema.safeParse(made.record).success).toBe(true);
    expect(made.record.createdBy).toEqual({ principalId: "a_admin", deviceId: admin.identity.deviceId });
    expect(await verifyTeamKeyRecord(made.record, admin.record)).toBe(true);
    expect(await verifyTeamKeyRecord(made.record, other.record)).toBe(false);
    expect(await verifyTeamKeyRecord(made.record, undefined)).toBe(false);
  });

  it("refuses a record with any signed field changed or any signature byte flipped", async () => {
    const variants: TeamKeyRecord[] = [
      { ...made.record, shopId: "shop_2" },
      { ...made.record, version: 2 },
      { ...made.record, ts: made.record.ts + 1 },
      { ...made.record, boxPk: flip(made.record.boxPk, 0) },
      { ...made.record, sigPk: flip(made.record.sigPk, 5) },
      { ...made.record, createdBy: { principalId: "a_admin", deviceId: other.identity.deviceId } },
    ];
    for (let i = 0; i < 64; i++) variants.push({ ...made.record, sig: flip(made.record.sig, i) });
    for (const v of variants) expect(await verifyTeamKeyRecord(v, admin.record)).toBe(false);
  });

  it("wraps the secret in 112 sealed bytes (150 base64url characters) that only the target device opens", async () => {
    expect(wrap.sealed).toHaveLength(150);
    expect(fromBase64Url(wrap.sealed)).toHaveLength(112);
    expect(teamKeyWrapSchema.safeParse(wrap).success).toBe(true);
    const secret = await openTeamKeyWrap(wrap, agent.identity, made.record);
    expect(secret.boxSk).toEqual(made.secret.boxSk);
    expect(secret.boxPk).toEqual(made.secret.boxPk);
    expect(secret.sigSeed).toEqual(made.secret.sigSeed);
    await expect(openTeamKeyWrap(wrap, other.identity, made.record)).rejects.toMatchObject({ reason: "wrong_device" });
    await expect(
      openTeamKeyWrap({ ...wrap, deviceId: other.identity.deviceId }, other.identity, made.record),
    ).rejects.toMatchObject({ reason: "bad_ciphertext" });
  });

  it("signs wraps: any changed field or flipped signature byte fails verification", async () => {
    expect(await verifyTeamKeyWrap(wrap, made.record, admin.record)).toBe(true);
    expect(await verifyTeamKeyWrap(wrap, made.record, other.record)).toBe(false);
    const variants: TeamKeyWrap[] = [
      { ...wrap, shopId: "shop_2" },
      { ...wrap, deviceId: other.identity.deviceId },
      { ...wrap, principalId: "a_other" },
      { ...wrap, sealed: flip(wrap.sealed, 40) },
      { ...wrap, ts: wrap.ts + 1 },
    ];
    for (let i = 0; i < 64; i++) variants.push({ ...wrap, sig: flip(wrap.sig, i) });
    for (const v of variants) expect(await verifyTeamKeyWrap(v, made.record, admin.record)).toBe(false);
    // Bound to the record's box key: the same wrap does not verify for another team key of the same version.
    const rival = await createTeamKey({
      identity: admin.identity,
      principalId: "a_admin",
      shopId: "shop_1",
      version: 1,
    });
    expect(await verifyTeamKeyWrap(wrap, rival.record, admin.record)).toBe(false);
  });

  it("refuses a wrap whose secret is not the record's key, and flipped sealed bytes", async () => {
    const rival = await createTeamKey({
      identity: admin.identity,
      principalId: "a_admin",
      shopId: "shop_1",
      version: 1,
    });
    const rivalWrap = await wrapTeamKey({
      secret: rival.secret,
      record: rival.record,
      to: agent.record,
      wrapper: admin.identity,
      wrapperPrincipalId: "a_admin",
    });
    await expect(openTeamKeyWrap(rivalWrap, agent.identity, made.record)).rejects.toMatchObject({
      reason: "wrong_key",
    });
    for (let i = 0; i < 112; i += 7) {
      const err = await openTeamKeyWrap({ ...wrap, sealed: flip(wrap.sealed, i) }, agent.identity, made.record).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(TeamKeyError);
    }
    await expect(openTeamKeyWrap({ ...wrap, version: 2 }, agent.identity, made.record)).rejects.toMatchObject({
      reason: "bad_shape",
    });
    await expect(
      wrapTeamKey({
        secret: rival.secret,
        record: made.record,
        to: agent.record,
        wrapper: admin.identity,
        wrapperPrincipalId: "a_admin",
      }),
    ).rejects.toThrow(RangeError);
  });

  it("opens the team wrap of an epoch commit with the unwrapped secret", async () => {
    const customer = await device("c_cust");
    const { commit, epochKey } = await buildCommit({
      identity: customer.identity,
      principalId: "c_cust",
      convId: "cv_1",
      prev: undefined,
      members: [{ principalId: "c_cust", devices: [customer.record] }],
      teamBoxPk: fromBase64Url(made.record.boxPk),
      historyPolicy: "none",
      reason: "create",
    });
    const secret = await openTeamKeyWrap(wrap, agent.identity, made.record);
    expect(await openCommitKey(commit, agent.identity, { boxPk: secret.boxPk, boxSk: secret.boxSk })).toEqual(epochKey);
  });
});
