/**
 * Device records: a device registers its self-signed record for its own
 * principal (`device.register`); `device.list` answers the records of
 * principals the caller shares a conversation with (or did: the membership
 * log names them, so a removed member's old messages still verify), of the
 * teams of the shops it talks to, or (for the team) of its own shop. The gateway is no directory of
 * strangers' devices: others are left out as if they had none.
 */

import { verifyDeviceRecord } from "@parley/sdk/crypto";
import type { RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import { isTeamKind } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type {
  ConversationStore,
  DeviceStore,
  MembershipLogStore,
  PrincipalRecord,
  PrincipalStore,
} from "../store/port.js";
import { admitDevice, DEFAULT_MAX_DEVICES } from "./device-registry.js";
import type { TeamKeys } from "./team-keys.js";

/** How many of the caller's conversations (the newest by activity) `device.list` looks for shared members in. */
export const CONVERSATIONS_CONSIDERED = 500;

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface DevicesOptions {
  store: DeviceStore & PrincipalStore & ConversationStore & MembershipLogStore;
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

  /** Stores the record; a team device waiting for the team key is announced with `requestId` (this request's). */
  async register(actor: PrincipalRecord, record: Body<"device.register">["record"], requestId?: string) {
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
    await this.#o.team.announceDevice(actor, { deviceId: record.deviceId, changed }, requestId);
    return { ok: true } as const;
  }

  /**
   * Device records of principals the actor shares a conversation with (now, or in the past as the
   * membership log records it), and of the teams of the shops it talks to (or of its own shop, for
   * the team). Others are left out as if they had no devices: the gateway is no directory of
   * strangers' devices. Bounded work: at most `MAX_DEVICE_LIST_PRINCIPALS` principals (the
   * schema), one read of the actor's newest {@link CONVERSATIONS_CONSIDERED} conversations and one
   * indexed membership query, whatever the conversations hold.
   */
  async list(actor: PrincipalRecord, principalIds: string[]): Promise<RpcResults["device.list"]> {
    const principals = await this.#o.store.getPrincipals([...new Set(principalIds)]);
    const team = isTeamKind(actor.kind);
    const mine = team ? [] : await this.#o.store.listConversationsOf(actor.id, CONVERSATIONS_CONSIDERED);
    const shops = new Set(mine.map((c) => c.shopId));
    const visible = new Set<string>();
    const unsettled: string[] = [];
    for (const p of principals) {
      if (p.id === actor.id || (team && p.shopId === actor.shopId) || (isTeamKind(p.kind) && shops.has(p.shopId))) {
        visible.add(p.id);
      } else if (!team) {
        unsettled.push(p.id);
      }
    }
    const convIds = mine.map((c) => c.id);
    for (const id of await this.#o.store.pastOrPresentMembers(convIds, unsettled)) visible.add(id);
    const devices: RpcResults["device.list"]["devices"] = [];
    for (const p of principals) {
      if (!visible.has(p.id)) continue;
      for (const d of await this.#o.store.listDevices(p.id)) {
        if (d.sig) devices.push({ principal: p.id, deviceId: d.deviceId, sigPk: d.sigPk, boxPk: d.boxPk, sig: d.sig });
      }
    }
    return { devices };
  }
}
