/**
 * Who the next epoch of a conversation is for: its customers and guests (as
 * the gateway lists them) with their pinned devices. The gateway's word on
 * roles is used only where a lie cannot leak anything.
 */
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { RotationTrigger } from "../crypto/keyring.js";
import {
  type CommitReason,
  type DeviceRecord,
  type EpochCommit,
  isTeamRole,
  MAX_DEVICE_LIST_PRINCIPALS,
  type PrincipalInfo,
} from "../protocol/models.js";
import type { Rpc } from "./rpc.js";

/** Principals per `device.list` request: 16 of them with 16 devices each are ~92 KB of records. */
const DEVICE_LIST_CHUNK = Math.min(16, MAX_DEVICE_LIST_PRINCIPALS);

/** Principals and their devices, as an epoch lists them. */
export type Members = Array<{ principalId: string; devices: DeviceRecord[] }>;

export class EpochMembers {
  readonly #o: { convId: string; request: Rpc; directory: DeviceDirectory; principal: PrincipalInfo };
  /** Whether the gateway's copy of an epoch's commit lists this principal (for explanations only). */
  readonly #listedAt = new Map<number, Promise<boolean | undefined>>();
  /** Agents and bots as the gateway's member roles say: not trusted for anything that matters. */
  readonly listedTeam = new Set<string>();
  /** The conversation's shop, once known. */
  shopId: string | undefined;

  constructor(options: { convId: string; request: Rpc; directory: DeviceDirectory; principal: PrincipalInfo }) {
    this.#o = options;
  }

  /** The members the next epoch is for, with their pinned devices; records the team's principals. */
  async desired(): Promise<Members> {
    const { conversation, members } = await this.#o.request("conv.get", { convId: this.#o.convId });
    this.shopId = conversation.shopId;
    const listed: string[] = [];
    for (const m of members) {
      if (isTeamRole(m.role)) this.listedTeam.add(m.principalId);
      else listed.push(m.principalId);
    }
    if (listed.length > 0) {
      // A few principals per request, so that each reply stays well inside one NATS message
      // (up to 256 principals' devices in one reply could not fit: docs/protocol.md, Paging).
      const chunks: string[][] = [];
      for (let i = 0; i < listed.length; i += DEVICE_LIST_CHUNK) chunks.push(listed.slice(i, i + DEVICE_LIST_CHUNK));
      const replies = await Promise.all(chunks.map((principalIds) => this.#o.request("device.list", { principalIds })));
      await this.#o.directory.learn(
        replies.flatMap((r) => r.devices),
        { complete: listed },
      );
    }
    return listed.map((principalId) => ({ principalId, devices: this.#o.directory.devicesOf(principalId) }));
  }

  /**
   * Whether this principal is listed in the commit of `epoch`: from the verified commit when this
   * device applied it in this session (`known`), else from the gateway's copy (only to choose which
   * explanation to show, so the gateway's word is enough). Undefined when it cannot be told.
   */
  async listedAt(epoch: number, known: boolean | undefined): Promise<boolean | undefined> {
    if (known !== undefined) return known;
    let pending = this.#listedAt.get(epoch);
    if (!pending) {
      pending = this.#o
        .request("epoch.list", { convId: this.#o.convId, after: epoch - 1, limit: 1 })
        .then(({ commits }) => {
          const commit = commits[0];
          return commit?.epoch === epoch
            ? commit.members.some((m) => m.principalId === this.#o.principal.id)
            : undefined;
        })
        .catch(() => undefined);
      this.#listedAt.set(epoch, pending);
    }
    return pending;
  }
}

/** Whether the head lists exactly these principals with exactly these devices. */
export function sameMembers(head: EpochCommit, members: Members): boolean {
  if (head.members.length !== members.length) return false;
  const byId = new Map(head.members.map((m) => [m.principalId, [...m.deviceIds].sort().join(",")]));
  return members.every(
    (m) =>
      byId.get(m.principalId) ===
      m.devices
        .map((d) => d.deviceId)
        .sort()
        .join(","),
  );
}

/** The reason of the commit a rotation trigger calls for (`added`: the new member set adds someone). */
export function reasonFor(trigger: RotationTrigger, added: boolean): CommitReason {
  if (trigger === "no_epoch") return "create";
  if (trigger === "members") return added ? "add" : "remove";
  return trigger === "policy" ? "policy" : "rotate";
}
