/**
 * The shop team's key as one device sees it.
 *
 * - Everyone: {@link TeamKeyHolder.publicKey} fetches the shop's record
 *   (`team.get`), pins the creating device and checks the record's signature;
 *   commits seal each epoch key to its box key.
 * - Agent and bot devices: {@link TeamKeyHolder.load} fetches the wrap made for
 *   this device (`team.wrap.get`) and opens it. An admin agent's device that
 *   finds no team key makes version 1 (`team.init`), keeping the secret in
 *   storage. Admin devices then seal the key to every team device listed
 *   unwrapped by `team.devices`, after checking and pinning its record; again
 *   on every `device-waiting` event.
 * - Rotation: when `team.devices` says `rotationDue` (a login that held the key
 *   was removed; also announced by a `rotation-due` event), an admin device makes
 *   version n + 1, vouched for by version n (`prevSig`), and seals it to the
 *   remaining team's devices. Every device accepts version n + 1 only when it
 *   chains, vouch by vouch, from the version 1 it pinned, and keeps every
 *   version's secret it holds (old epochs, vouches and notes stay readable).
 */
import { fromBase64Url } from "../base64url.js";
import type { TeamBoxKey } from "../crypto/commits.js";
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { DeviceIdentity } from "../crypto/device-keys.js";
import { vouchKit, vouchRules } from "../crypto/message-crypto.js";
import { loadSodium } from "../crypto/sodium.js";
import {
  createTeamKey,
  openTeamKeyWrap,
  type TeamKeySecret,
  verifyTeamKeyRecord,
  verifyTeamKeyRotation,
  wrapTeamKey,
} from "../crypto/team-key.js";
import { deriveNotesKey } from "../crypto/team-notes.js";
import type { VouchTarget } from "../crypto/team-vouch-rules.js";
import { ParleyError } from "../errors.js";
import { isTeamKind, type PrincipalInfo, type TeamKeyRecord } from "../protocol/models.js";
import type { KeyValueStorage } from "../storage.js";
import type { Rpc, RpcResult } from "./rpc.js";
import { TeamKeySecrets } from "./team-key-secrets.js";

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
  #record: TeamKeyRecord | undefined;
  #secret: TeamKeySecret | undefined;
  /** Every version's secret this device holds (the current one too). */
  readonly #held = new Map<number, TeamKeySecret>();
  readonly #kept: TeamKeySecrets;
  /** The signer derived from `#secret`, kept while the secret is the same (one derivation per key, not per message). */
  #signer: { secret: TeamKeySecret; version: number; signSk: Uint8Array } | undefined;
  /** Undefined until the first `team.devices` answer says. */
  #admin: boolean | undefined;
  #loading: Promise<void> | undefined;
  #wrapping: Promise<void> | undefined;

  constructor(options: TeamKeyHolderOptions) {
    this.#o = options;
    this.#kept = new TeamKeySecrets(options.storage, options.principal.shopId, options.identity.deviceId);
  }

  get isTeam(): boolean {
    return isTeamKind(this.#o.principal.kind);
  }

  /** The team's current box key pair, on agent devices that hold it. */
  get boxKey(): TeamBoxKey | undefined {
    const version = this.version;
    return this.#secret ? { boxPk: this.#secret.boxPk, boxSk: this.#secret.boxSk, version } : undefined;
  }

  /** Every team box key pair this device holds, newest first: older versions open older epochs' team wraps. */
  get boxKeys(): TeamBoxKey[] {
    return [...this.#held.entries()]
      .sort(([a], [b]) => b - a)
      .map(([version, s]) => ({ boxPk: s.boxPk, boxSk: s.boxSk, version }));
  }

  /** The version of the team key this device holds, or 0. */
  get version(): number {
    return this.#secret ? (this.#record?.version ?? 0) : 0;
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
  load(): Promise<void> {
    if (!this.isTeam) return Promise.resolve();
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** Reacts to a `team` event from the shop's team subject. */
  async onTeamEvent(
    change: "device-waiting" | "key-changed" | "wrapped" | "rotation-due",
    deviceId?: string,
  ): Promise<void> {
    if (!this.isTeam) return;
    if (change === "device-waiting" || change === "rotation-due") {
      if (this.#secret && this.#admin !== false) await this.wrapWaiting();
      return;
    }
    if (change === "key-changed") this.#records.delete(this.#o.principal.shopId);
    // A wrap for this device: the first key, or the next version after a rotation.
    if (change === "key-changed" || (change === "wrapped" && deviceId === this.#o.identity.deviceId)) {
      await this.load();
    }
  }

  /** Admin devices: seals the team key to every team device `team.devices` lists as unwrapped. Single-flight. */
  wrapWaiting(): Promise<void> {
    this.#wrapping ??= this.#wrapWaiting().finally(() => {
      this.#wrapping = undefined;
    });
    return this.#wrapping;
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

  /**
   * Whether a message's team vouch verifies against this principal's shop's team key record of the vouch's
   * version: the signed-in shop, not the one the gateway names for a conversation (it could name a shop whose
   * key it made up). One that does not is reported through `onError`: only a forgery, a replay or damage makes one.
   */
  async vouchHolds(target: VouchTarget, vouch: unknown, onError: (error: Error) => void): Promise<boolean> {
    const { shopId } = this.#o.principal;
    const [{ verifyVouch }, kit] = await Promise.all([vouchRules(), vouchKit()]);
    const holds = await verifyVouch(kit, target, vouch, async (version) => {
      const record = await this.recordVersion(shopId, version);
      return record ? fromBase64Url(record.sigPk) : undefined;
    }).catch(() => false);
    if (!holds) onError(new Error(`message ${target.msgId} carries a team vouch that does not verify`));
    return holds;
  }

  /** Team devices holding the key: the version and the key that seals the team's internal notes. */
  async notesKey(): Promise<{ version: number; key: Uint8Array } | undefined> {
    if (!this.#secret || !this.#record) return undefined;
    return { version: this.#record.version, key: await deriveNotesKey(this.#secret.boxSk) };
  }

  /** The notes key of team key `version`, when this device holds that version (notes sealed before a rotation). */
  async notesKeyFor(version: number): Promise<Uint8Array | undefined> {
    const secret = this.#held.get(version);
    return secret ? deriveNotesKey(secret.boxSk) : undefined;
  }

  /**
   * Team devices holding the key: its version and Ed25519 secret key, to co-sign
   * commits and vouch for messages as the team. Callers must not change the key's bytes.
   */
  async signer(): Promise<{ version: number; signSk: Uint8Array } | undefined> {
    const secret = this.#secret;
    const record = this.#record;
    if (!secret || !record) return undefined;
    if (this.#signer?.secret !== secret || this.#signer.version !== record.version) {
      const sodium = await loadSodium();
      const signSk = sodium.crypto_sign_seed_keypair(secret.sigSeed).privateKey;
      this.#signer = { secret, version: record.version, signSk };
    }
    return { version: this.#signer.version, signSk: this.#signer.signSk };
  }

  async #fetchRecord(shopId: string): Promise<TeamKeyRecord | undefined> {
    const { key } = await this.#o.request("team.get", { shopId });
    return key && (await this.#verified(key)) ? key : undefined;
  }

  /**
   * Whether to trust a team key record. Version 1 of a shop is pinned in
   * storage when first seen (trust on first use, like a device) and never
   * replaced. Version n + 1 is trusted only when version n is and vouches for
   * it (`prevSig` by version n's team key), besides its creator's signature;
   * then it is pinned too. A record the gateway made up under a new version
   * cannot claim the team: it holds no team key to vouch with.
   */
  async #verified(record: TeamKeyRecord): Promise<boolean> {
    const base = `parley:team-record:${this.#o.principal.id}:${record.shopId}`;
    const pinKey = record.version === 1 ? base : `${base}:${record.version}`;
    const pinned = await this.#o.storage.get(pinKey);
    if (pinned !== undefined) return pinned === JSON.stringify(recordFields(record));
    if (record.version > 1) {
      const previous = await this.recordVersion(record.shopId, record.version - 1);
      if (!previous || !(await verifyTeamKeyRotation(record, previous))) return false;
    } else if (record.prevSig !== undefined) {
      return false;
    }
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

  async #load(): Promise<void> {
    const { shopId } = this.#o.principal;
    const { key, wraps } = await this.#o.request("team.wrap.get", {});
    if (key) {
      if (!(await this.#verified(key)))
        throw new ParleyError("forbidden", "the shop's team key record does not verify");
      const wrap = wraps.find((w) => w.deviceId === this.#o.identity.deviceId && w.version === key.version);
      const secret = wrap ? await openTeamKeyWrap(wrap, this.#o.identity, key) : await this.#kept.restore(key);
      if (secret) {
        await this.#kept.store(key, secret);
        this.#hold(key, secret);
      }
      await this.#restoreOlder(shopId, key.version);
    } else {
      await this.#init(shopId);
    }
    if (this.#secret && this.#admin !== false) await this.wrapWaiting();
  }

  /** An admin device makes the shop's first team key; others are refused (`forbidden`) and wait for a wrap. */
  async #init(shopId: string): Promise<void> {
    const { record, secret } = await createTeamKey({
      identity: this.#o.identity,
      principalId: this.#o.principal.id,
      shopId,
      version: 1,
    });
    // Stored first: once the gateway has the record, losing the secret would strand every conversation sealed to it.
    await this.#kept.store(record, secret);
    try {
      await this.#o.request("team.init", { record });
    } catch (err) {
      await this.#kept.forget(record.version);
      if (err instanceof ParleyError && err.code === "forbidden") {
        this.#admin = false;
        return;
      }
      if (err instanceof ParleyError && err.code === "conflict") return; // another admin device won: its wrap will come
      throw err;
    }
    this.#admin = true;
    this.#hold(record, secret);
  }

  /** Makes `record` with `secret` this device's current team key (a newer version only) and keeps it in memory. */
  #hold(record: TeamKeyRecord, secret: TeamKeySecret): void {
    this.#held.set(record.version, secret);
    this.#records.set(`${record.shopId}#${record.version}`, Promise.resolve(record));
    if (this.#record && this.#record.version > record.version) return;
    this.#record = record;
    this.#secret = secret;
    this.#records.set(record.shopId, Promise.resolve(record));
  }

  /** Loads the kept secrets of versions before `current` that verify (old epochs' team wraps need them). */
  async #restoreOlder(shopId: string, current: number): Promise<void> {
    for (let version = current - 1; version >= 1; version--) {
      if (this.#held.has(version) || !(await this.#kept.has(version))) continue;
      const record = await this.recordVersion(shopId, version);
      const secret = record ? await this.#kept.restore(record) : undefined;
      if (record && secret) this.#held.set(version, secret);
    }
  }

  /**
   * An admin device rotates the team key: version n + 1, vouched for by version n, kept before the
   * gateway stores it. False when another admin device rotated first (its wrap will come).
   */
  async #rotate(record: TeamKeyRecord, secret: TeamKeySecret): Promise<boolean> {
    const next = await createTeamKey({
      identity: this.#o.identity,
      principalId: this.#o.principal.id,
      shopId: record.shopId,
      version: record.version + 1,
      previous: { record, secret },
    });
    await this.#kept.store(next.record, next.secret);
    try {
      await this.#o.request("team.init", { record: next.record });
    } catch (err) {
      await this.#kept.forget(next.record.version);
      if (err instanceof ParleyError && (err.code === "conflict" || err.code === "forbidden")) return false;
      throw err;
    }
    this.#hold(next.record, next.secret);
    return true;
  }

  async #wrapWaiting(): Promise<void> {
    // At most one rotation per call: after it, the new version is wrapped to every remaining device.
    for (let round = 0; round < 2; round++) {
      if (!(await this.#wrapRound(round === 0))) return;
    }
  }

  /** One `team.devices` round: wraps to the unwrapped devices; true when it rotated instead (list again). */
  async #wrapRound(mayRotate: boolean): Promise<boolean> {
    const secret = this.#secret;
    const record = this.#record;
    if (!secret || !record) return false;
    let listed: RpcResult<"team.devices">;
    try {
      listed = await this.#o.request("team.devices", {});
    } catch (err) {
      if (err instanceof ParleyError && err.code === "forbidden") {
        this.#admin = false;
        return false;
      }
      throw err;
    }
    this.#admin = true;
    const { key, devices } = listed;
    if (!key || key.version !== record.version || key.boxPk !== record.boxPk) return false;
    if (listed.rotationDue && mayRotate) return this.#rotate(record, secret);
    const principals = [...new Set(devices.map((d) => d.device.principal))];
    // Pins every team device; a device whose keys changed stays on its old pin and is not wrapped to.
    await this.#o.directory.learn(
      devices.map((d) => d.device),
      { complete: principals },
    );
    for (const { device, wrapped } of devices) {
      if (wrapped) continue;
      const pinned = this.#o.directory.get(device.principal, device.deviceId);
      if (!pinned || pinned.sigPk !== device.sigPk || pinned.boxPk !== device.boxPk) continue;
      const wrap = await wrapTeamKey({
        secret,
        record,
        to: pinned,
        wrapper: this.#o.identity,
        wrapperPrincipalId: this.#o.principal.id,
      });
      await this.#o.request("team.wrap.put", { wrap });
    }
    return false;
  }
}

/** The fields of a record in a fixed order, for comparing a record with the pinned one. */
function recordFields(r: TeamKeyRecord): unknown[] {
  const fields = [r.shopId, r.version, r.boxPk, r.sigPk, r.createdBy.principalId, r.createdBy.deviceId, r.ts, r.sig];
  return r.prevSig === undefined ? fields : [...fields, r.prevSig];
}
