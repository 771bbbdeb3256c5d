/**
 * Device records: a device registers its self-signed record for its own
 * principal (`device.register`); `device.list` answers the records of
 * principals the caller shares a conversation with (or that a shared
 * conversation's epoch chain names), of the teams of the shops it talks to,
 * or (for the team) of its own shop. The gateway is no directory of
 * strangers' devices: others are left out as if they had none.
 */

import { verifyDeviceRecord } from "@parley/sdk/crypto";
import type { RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import { isTeamKind } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  ConversationStore,
  DeviceStore,
  EpochStore,
  MemberStore,
  PrincipalRecord,
  PrincipalStore,
} from "../store/port.js";
import { admitDevice, DEFAULT_MAX_DEVICES } from "./device-registry.js";
import type { TeamKeys } from "./team-keys.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface DevicesOptions {
  store: DeviceStore & PrincipalStore & ConversationStore & MemberStore & EpochStore;
  /** Tells the shop's admin devices about a team device that waits for the team key. */
  team: TeamKeys;
  now: () => number;
  /** Devices per principal; one more evicts the least recently seen (device-registry.ts). @default 10 */
  maxDevices?: number;
}

export class Devices {
  readonly #o: DevicesOptions;

  constructor(options: DevicesOptions) {
    this.#o = options;
  }

  async register(actor: PrincipalRecord, record: Body<"device.register">["record"]) {
    if (record.principal !== actor.id) throw new GatewayError("forbidden", "a device registers for its own principal");
    // Only records that verify: commits are checked against them (commit-checks.ts).
    if (!(await verifyDeviceRecord(record))) throw new GatewayError("bad_request", "the record's self-signature fails");
    const now = this.#o.now();
    const known = (await this.#o.store.listDevices(actor.id)).find((d) => d.deviceId === record.deviceId);
    const max = this.#o.maxDevices ?? DEFAULT_MAX_DEVICES;
    await admitDevice(
      this.#o.store,
      {
        deviceId: record.deviceId,
        sigPk: record.sigPk,
        boxPk: record.boxPk,
        sig: record.sig,
        principalId: actor.id,
        createdAt: known?.createdAt ?? now,
        lastSeenAt: now,
      },
      max,
    );
    // A team device with new keys (or none of the current team key yet) waits for an admin device to wrap it.
    const changed = known?.sig === undefined || known.sigPk !== record.sigPk || known.boxPk !== record.boxPk;
    await this.#o.team.announceDevice(actor, record.deviceId, changed);
    return { ok: true } as const;
  }

  /**
   * Device records of principals the actor shares a conversation with, and of the teams of the
   * shops it talks to (or of its own shop, for the team). Others are left out as if they had no
   * devices: the gateway is no directory of strangers' devices.
   */
  async list(actor: PrincipalRecord, principalIds: string[]): Promise<RpcResults["device.list"]> {
    const principals = await this.#o.store.getPrincipals([...new Set(principalIds)]);
    const mine = isTeamKind(actor.kind) ? [] : await this.#o.store.listConversationsOf(actor.id, 500);
    const shops = new Set(mine.map((c) => c.shopId));
    const devices: RpcResults["device.list"]["devices"] = [];
    for (const p of principals) {
      const visible =
        p.id === actor.id ||
        (isTeamKind(actor.kind) && p.shopId === actor.shopId) ||
        (isTeamKind(p.kind) && shops.has(p.shopId)) ||
        (await this.#sharesConversation(p.id, mine));
      if (!visible) continue;
      for (const d of await this.#o.store.listDevices(p.id)) {
        if (d.sig) devices.push({ principal: p.id, deviceId: d.deviceId, sigPk: d.sigPk, boxPk: d.boxPk, sig: d.sig });
      }
    }
    return { devices };
  }

  /**
   * A current member of one of the actor's conversations, or a former one still named in its
   * epoch chain: members need a removed member's device records to verify the messages it sent
   * while it was in.
   */
  async #sharesConversation(other: string, mine: readonly ConversationRecord[]): Promise<boolean> {
    for (const conv of mine) if (await this.#o.store.getMember(conv.id, other)) return true;
    for (const conv of mine) {
      if (conv.epoch === 0) continue;
      const commits = await this.#o.store.listCommits(conv.id, 0, 1000);
      if (commits.some((c) => c.committer.principalId === other || c.members.some((m) => m.principalId === other))) {
        return true;
      }
    }
    return false;
  }
}
