/**
 * The gateway's side of a shop team's key: it stores the team's public key
 * record (version n, compare-and-set) and the wraps of its secret halves to
 * team devices, and tells the team when a device waits for the key. It never
 * sees a secret; agent devices check the record's and each wrap's signature
 * against the admin device that made them. The one signature it checks is a
 * rotation's: version n + 1 must carry a vouch (`prevSig`) by version n's team
 * key, whose public half it holds.
 *
 * Rotation: once a login that was given the current key is removed, `team.devices` says
 * `rotationDue` (derived from the stored wraps, so it survives restarts) and removal fans out a
 * `rotation-due` team event; an admin device then makes version n + 1 and seals it to the devices
 * of the remaining team only (removed logins' devices are no longer listed or wrappable).
 *
 * Each `team` event carries the id of the request that caused it (`requestId`, ADR 0042).
 *
 * Who may do what:
 * - `team.get`: anyone signed in (the team's public key is what customers seal epoch keys to).
 * - `team.init`, `team.devices`, `team.wrap.put`: admin agents of the shop, acting from one of
 *   their own registered (signed) devices.
 * - `team.wrap.get`: the shop's agents and bots, for their own devices.
 */

import { verifyTeamKeyRotation } from "@parley/sdk/crypto";
import type { RpcResults, TeamKeyRecord, TeamKeyWrap, DeviceRecord as WireDevice } from "@parley/sdk/protocol";
import { isTeamKind } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { AgentStore, DeviceStore, PrincipalRecord, PrincipalStore, TeamKeyStore } from "../store/port.js";
import type { EventFanout } from "./events.js";

import { isTeamMember } from "./team.js";

export class TeamKeys {
  constructor(
    private readonly store: TeamKeyStore & PrincipalStore & AgentStore & DeviceStore,
    private readonly fanout: EventFanout,
  ) {}

  async get(shopId: string, version?: number): Promise<RpcResults["team.get"]> {
    return { key: (await this.store.getTeamKey(shopId, version)) ?? null };
  }

  async init(actor: PrincipalRecord, record: TeamKeyRecord, requestId?: string): Promise<RpcResults["team.init"]> {
    await this.#requireAdmin(actor, record.shopId);
    await this.#requireOwnDevice(actor, record.createdBy, "the creating device");
    const head = await this.store.getTeamKey(record.shopId);
    const current = head?.version ?? 0;
    if (record.version !== current + 1) throw versionConflict(current);
    if (current === 0 ? record.prevSig !== undefined : !head || !(await verifyTeamKeyRotation(record, head))) {
      throw new GatewayError(
        "forbidden",
        current === 0
          ? "version 1 of a team key carries no prevSig"
          : `version ${record.version} must be vouched for (prevSig) by team key version ${current}`,
      );
    }
    const { accepted, version } = await this.store.putTeamKey(record);
    if (!accepted) throw versionConflict(version);
    this.fanout.toTeam(record.shopId, { type: "team", change: "key-changed", shopId: record.shopId }, requestId);
    return { version };
  }

  async devices(actor: PrincipalRecord): Promise<RpcResults["team.devices"]> {
    await this.#requireAdmin(actor, actor.shopId);
    const key = (await this.store.getTeamKey(actor.shopId)) ?? null;
    const wraps = key ? await this.store.listTeamWraps(actor.shopId, key.version) : [];
    const wrapped = new Set(wraps.map((w) => wrapKey(w.principalId, w.deviceId)));
    const devices: RpcResults["team.devices"]["devices"] = [];
    const current = new Set<string>();
    for (const p of await this.store.listTeam(actor.shopId)) {
      // A removed login's principal stays (its messages keep their author) but is off the team.
      if (!(await this.#onTeam(p, actor.shopId))) continue;
      current.add(p.id);
      for (const d of await this.store.listDevices(p.id)) {
        if (!d.sig) continue;
        const device: WireDevice = {
          principal: p.id,
          deviceId: d.deviceId,
          sigPk: d.sigPk,
          boxPk: d.boxPk,
          sig: d.sig,
        };
        devices.push({ device, wrapped: wrapped.has(wrapKey(p.id, d.deviceId)) });
      }
    }
    return { key, devices, rotationDue: wraps.some((w) => !current.has(w.principalId)) };
  }

  async putWrap(actor: PrincipalRecord, wrap: TeamKeyWrap, requestId?: string): Promise<RpcResults["team.wrap.put"]> {
    await this.#requireAdmin(actor, wrap.shopId);
    await this.#requireOwnDevice(actor, wrap.wrappedBy, "the wrapping device");
    const target = await this.store.getPrincipal(wrap.principalId);
    if (!target || !(await this.#onTeam(target, wrap.shopId))) {
      throw new GatewayError("forbidden", "the team key is wrapped only to devices of the shop's agents and bots");
    }
    if (!(await signedDevice(this.store, target.id, wrap.deviceId))) {
      throw new GatewayError("forbidden", "the target device is not a registered device of that principal");
    }
    const current = (await this.store.getTeamKey(wrap.shopId))?.version ?? 0;
    if (wrap.version !== current) {
      throw new GatewayError(
        "conflict",
        current === 0
          ? "the shop has no team key yet"
          : `the team key is at version ${current}; wrap version ${current}`,
      );
    }
    await this.store.putTeamWrap(wrap);
    const event = { type: "team", change: "wrapped", shopId: wrap.shopId, deviceId: wrap.deviceId } as const;
    this.fanout.toTeam(wrap.shopId, event, requestId);
    return { ok: true };
  }

  async getWraps(actor: PrincipalRecord): Promise<RpcResults["team.wrap.get"]> {
    if (!isTeamKind(actor.kind)) throw new GatewayError("forbidden", "only the shop's team holds the team key");
    const key = (await this.store.getTeamKey(actor.shopId)) ?? null;
    const wraps = key ? await this.store.listTeamWraps(actor.shopId, key.version, actor.id) : [];
    return { key, wraps };
  }

  /**
   * Tells the team that a team device waits for the key: on a new device or new keys, or while it
   * has no wrap of the current key. A device that registers again unchanged and wrapped says nothing.
   * `requestId`: the `device.register` request's.
   */
  async announceDevice(
    actor: PrincipalRecord,
    device: { deviceId: string; changed: boolean },
    requestId?: string,
  ): Promise<void> {
    const { deviceId, changed } = device;
    if (!isTeamKind(actor.kind)) return;
    if (!changed) {
      const key = await this.store.getTeamKey(actor.shopId);
      if (!key) return;
      const wraps = await this.store.listTeamWraps(actor.shopId, key.version, actor.id);
      if (wraps.some((w) => w.deviceId === deviceId)) return;
    }
    this.fanout.toTeam(
      actor.shopId,
      { type: "team", change: "device-waiting", shopId: actor.shopId, deviceId },
      requestId,
    );
  }

  /**
   * Tells the shop's team that a login holding the team key was removed: an admin device should rotate it.
   * `requestId`: the request that removed it (`team.remove`, or the admin API's).
   */
  rotationDue(shopId: string, requestId?: string): void {
    this.fanout.toTeam(shopId, { type: "team", change: "rotation-due", shopId }, requestId);
  }

  /** An agent or bot of `shopId` whose login still exists and points back at it (not removed). */
  async #onTeam(p: PrincipalRecord, shopId: string): Promise<boolean> {
    if (!isTeamMember(p, shopId)) return false;
    return (await this.store.getAgent(shopId, p.externalId))?.principalId === p.id;
  }

  /**
   * An agent (not a bot) of `shopId` whose agent record says admin. The record is looked up by the
   * principal's login and must point back at the principal: a customer whose token subject happens
   * to equal an admin's login is a different principal and gets nothing.
   */
  async #requireAdmin(actor: PrincipalRecord, shopId: string): Promise<void> {
    if (actor.kind === "agent" && actor.shopId === shopId) {
      const agent = await this.store.getAgent(shopId, actor.externalId);
      if (agent?.principalId === actor.id && agent.role === "admin") return;
    }
    throw new GatewayError("forbidden", "only the shop's admin agents manage its team key");
  }

  async #requireOwnDevice(
    actor: PrincipalRecord,
    by: { principalId: string; deviceId: string },
    what: string,
  ): Promise<void> {
    if (by.principalId !== actor.id) throw new GatewayError("forbidden", `${what} must be one of your own`);
    if (!(await signedDevice(this.store, actor.id, by.deviceId))) {
      throw new GatewayError("forbidden", `${what} is not registered`);
    }
  }
}

const wrapKey = (principalId: string, deviceId: string) => `${principalId}\u0000${deviceId}`;

function versionConflict(current: number): GatewayError {
  return new GatewayError("conflict", `the team key is at version ${current}; init version ${current + 1}`);
}

/** True when the principal registered the device with a self-signature (`device.register`). */
async function signedDevice(store: DeviceStore, principalId: string, deviceId: string): Promise<boolean> {
  const device = (await store.listDevices(principalId)).find((d) => d.deviceId === deviceId);
  return device?.sig !== undefined;
}
