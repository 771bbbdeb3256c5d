/**
 * The shop team's key as one device sees it.
 *
 * - Everyone: {@link TeamKeyHolder.publicKey} fetches the shop's record
 *   (`team.get`), pins the creating device and checks the record's signature;
 *   commits seal each epoch key to its box key.
 * - Agent and bot devices: {@link TeamKeyHolder.load} imports the secret's
 *   side (team-key-member.ts; the customer's widget never downloads it), which
 *   fetches the wrap made for this device (`team.wrap.get`) and opens it. An
 *   admin agent's device that finds no team key makes version 1 (`team.init`),
 *   keeping the secret in storage. Admin devices then seal the key to every
 *   team device listed unwrapped by `team.devices`, after checking and pinning
 *   its record; again on every `device-waiting` event.
 */
import type { TeamBoxKey } from "../crypto/commits.js";
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { DeviceIdentity } from "../crypto/device-keys.js";
import { verifyTeamKeyRecord } from "../crypto/team-key.js";
import { isTeamKind, type PrincipalInfo, type TeamKeyRecord } from "../protocol/models.js";
import type { KeyValueStorage } from "../storage.js";
import type { Rpc } from "./rpc.js";
import type { TeamKeyMember } from "./team-key-member.js";

export interface TeamKeyHolderOptions {
  request: Rpc;
  storage: KeyValueStorage;
  identity: DeviceIdentity;
  principal: PrincipalInfo;
  directory: DeviceDirectory;
}

export class TeamKeyHolder {
  readonly #o: TeamKeyHolderOptions;
  readonly #records = new Map<string, Promise<TeamKeyRecord | undefined>>();
  /** The secret's side, imported on team devices at the first `load`. */
  #member: TeamKeyMember | undefined;
  #memberLoading: Promise<TeamKeyMember> | undefined;

  constructor(options: TeamKeyHolderOptions) {
    this.#o = options;
  }

  get isTeam(): boolean {
    return isTeamKind(this.#o.principal.kind);
  }

  /** The team's box key pair, on agent devices that hold it. */
  get boxKey(): TeamBoxKey | undefined {
    return this.#member?.boxKey;
  }

  /** The version of the team key this device holds, or 0. */
  get version(): number {
    return this.#member?.version ?? 0;
  }

  /**
   * The verified current team key record of a shop, or undefined while the shop
   * has none (or it fails verification: commits then carry no team wrap).
   * Cached for the session; `refresh` asks again.
   */
  publicKey(shopId: string, refresh = false): Promise<TeamKeyRecord | undefined> {
    let pending = refresh ? undefined : this.#records.get(shopId);
    if (!pending) {
      pending = this.#fetchRecord(shopId);
      this.#records.set(shopId, pending);
      pending.catch(() => this.#records.delete(shopId));
    }
    return pending;
  }

  /** Agent devices: gets the team key (opening this device's wrap, or making version 1 as an admin), then wraps it to waiting devices. Single-flight. */
  async load(): Promise<void> {
    if (!this.isTeam) return;
    await (await this.#teamMember()).load();
  }

  /** Reacts to a `team` event from the shop's team subject. */
  async onTeamEvent(change: "device-waiting" | "key-changed" | "wrapped", deviceId?: string): Promise<void> {
    if (!this.isTeam) return;
    if (change === "key-changed") this.#records.delete(this.#o.principal.shopId);
    await (await this.#teamMember()).onTeamEvent(change, deviceId);
  }

  /** Admin devices: seals the team key to every team device `team.devices` lists as unwrapped. Single-flight. */
  async wrapWaiting(): Promise<void> {
    if (!this.isTeam) return;
    await (await this.#teamMember()).wrapWaiting();
  }

  /**
   * A shop's team key record of `version`, verified like the current one: what
   * a team member's commit signature is checked against. Cached per version.
   */
  recordVersion(shopId: string, version: number): Promise<TeamKeyRecord | undefined> {
    const cacheKey = `${shopId}#${version}`;
    let pending = this.#records.get(cacheKey);
    if (!pending) {
      pending = (async () => {
        const { key } = await this.#o.request("team.get", { shopId, version });
        return key && key.version === version && key.shopId === shopId && (await this.#verified(key)) ? key : undefined;
      })();
      this.#records.set(cacheKey, pending);
      pending.catch(() => this.#records.delete(cacheKey));
    }
    return pending;
  }

  /** Team devices holding the key: the version and the key that seals the team's internal notes. */
  async notesKey(): Promise<{ version: number; key: Uint8Array } | undefined> {
    return this.#member?.notesKey();
  }

  /** Team devices holding the key: its version and Ed25519 secret key, to co-sign commits as the team. */
  async signer(): Promise<{ version: number; signSk: Uint8Array } | undefined> {
    return this.#member?.signer();
  }

  /** The member side, imported once (a chunk of its own in the widget, which customers never load). */
  #teamMember(): Promise<TeamKeyMember> {
    this.#memberLoading ??= import("./team-key-member.js").then((m) => {
      this.#member = new m.TeamKeyMember({
        ...this.#o,
        verified: (record) => this.#verified(record),
        remember: (shopId, record) => this.#records.set(shopId, Promise.resolve(record)),
      });
      return this.#member;
    });
    return this.#memberLoading;
  }

  async #fetchRecord(shopId: string): Promise<TeamKeyRecord | undefined> {
    const { key } = await this.#o.request("team.get", { shopId });
    return key && (await this.#verified(key)) ? key : undefined;
  }

  /**
   * Whether to trust a team key record. The first record seen for a shop is
   * pinned in storage (trust on first use, like a device) and never replaced:
   * a different record for that version is refused. Only version 1 is trusted
   * for now: a later version would have to be vouched for by the key before it
   * (rotation), which is not built, and a record the gateway made up under a
   * new version must not be able to claim the team.
   */
  async #verified(record: TeamKeyRecord): Promise<boolean> {
    if (record.version !== 1) return false;
    const pinKey = `parley:team-record:${this.#o.principal.id}:${record.shopId}`;
    const pinned = await this.#o.storage.get(pinKey);
    if (pinned !== undefined) return pinned === JSON.stringify(recordFields(record));
    if (!(await this.#creatorSigned(record))) return false;
    await this.#o.storage.set(pinKey, JSON.stringify(recordFields(record)));
    return true;
  }

  /** Pins the creating device (`device.list`) and checks the record's signature against the pin. */
  async #creatorSigned(record: TeamKeyRecord): Promise<boolean> {
    const { principalId, deviceId } = record.createdBy;
    let creator = this.#o.directory.get(principalId, deviceId);
    if (!creator) {
      const { devices } = await this.#o.request("device.list", { principalIds: [principalId] });
      await this.#o.directory.learn(devices, { complete: [principalId] });
      creator = this.#o.directory.get(principalId, deviceId);
    }
    return verifyTeamKeyRecord(record, creator);
  }
}

/** The fields of a record in a fixed order, for comparing a record with the pinned one. */
function recordFields(r: TeamKeyRecord): unknown[] {
  return [r.shopId, r.version, r.boxPk, r.sigPk, r.createdBy.principalId, r.createdBy.deviceId, r.ts, r.sig];
}
