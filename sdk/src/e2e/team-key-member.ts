/**
 * The team key's secret on an agent's or a bot's device: opening this device's
 * wrap (`team.wrap.get`), making version 1 on an admin device that finds none
 * (`team.init`), keeping it in storage, and sealing it to waiting team devices
 * (`team.devices`, `team.wrap.put`). Loaded by {@link TeamKeyHolder} only on
 * team devices, so a customer's widget never downloads it.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { TeamBoxKey } from "../crypto/commits.js";
import { loadSodium } from "../crypto/sodium.js";
import { createTeamKey, openTeamKeyWrap, type TeamKeySecret, wrapTeamKey } from "../crypto/team-key.js";
import { deriveNotesKey } from "../crypto/team-notes.js";
import { ParleyError } from "../errors.js";
import type { TeamKeyRecord } from "../protocol/models.js";
import type { RpcResult } from "./rpc.js";
import type { TeamKeyHolderOptions } from "./team-key-holder.js";

/** What the holder lends the member: its options and its checked, cached view of the public records. */
export interface TeamKeyMemberOptions extends TeamKeyHolderOptions {
  /** Whether to trust a record (pinned on first use, signed by its creating device). */
  verified(record: TeamKeyRecord): Promise<boolean>;
  /** Caches `record` as the shop's current one. */
  remember(shopId: string, record: TeamKeyRecord): void;
}

/** How the stored secret of a team key looks. */
interface StoredSecret {
  v: 1;
  shopId: string;
  version: number;
  boxSk: string;
  sigSeed: string;
}

/** The team key secret this device holds, and the admin duties that come with it. */
export class TeamKeyMember {
  readonly #o: TeamKeyMemberOptions;
  #record: TeamKeyRecord | undefined;
  #secret: TeamKeySecret | undefined;
  /** Undefined until the first `team.devices` answer says. */
  #admin: boolean | undefined;
  #loading: Promise<void> | undefined;
  #wrapping: Promise<void> | undefined;

  constructor(options: TeamKeyMemberOptions) {
    this.#o = options;
  }

  /** The team's box key pair, once this device holds it. */
  get boxKey(): TeamBoxKey | undefined {
    return this.#secret ? { boxPk: this.#secret.boxPk, boxSk: this.#secret.boxSk } : undefined;
  }

  /** The version of the team key this device holds, or 0. */
  get version(): number {
    return this.#secret ? (this.#record?.version ?? 0) : 0;
  }

  /** Agent devices: gets the team key (opening this device's wrap, or making version 1 as an admin), then wraps it to waiting devices. Single-flight. */
  load(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  /** Reacts to a `team` event from the shop's team subject. */
  async onTeamEvent(change: "device-waiting" | "key-changed" | "wrapped", deviceId?: string): Promise<void> {
    if (change === "device-waiting") {
      if (this.#secret && this.#admin !== false) await this.wrapWaiting();
      return;
    }
    if (change === "key-changed" || (change === "wrapped" && deviceId === this.#o.identity.deviceId && !this.#secret)) {
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

  /** Team devices holding the key: the version and the key that seals the team's internal notes. */
  async notesKey(): Promise<{ version: number; key: Uint8Array } | undefined> {
    if (!this.#secret || !this.#record) return undefined;
    return { version: this.#record.version, key: await deriveNotesKey(this.#secret.boxSk) };
  }

  /** Team devices holding the key: its version and Ed25519 secret key, to co-sign commits as the team. */
  async signer(): Promise<{ version: number; signSk: Uint8Array } | undefined> {
    if (!this.#secret || !this.#record) return undefined;
    const sodium = await loadSodium();
    return { version: this.#record.version, signSk: sodium.crypto_sign_seed_keypair(this.#secret.sigSeed).privateKey };
  }

  async #load(): Promise<void> {
    const { shopId } = this.#o.principal;
    const { key, wraps } = await this.#o.request("team.wrap.get", {});
    if (key) {
      if (!(await this.#o.verified(key)))
        throw new ParleyError("forbidden", "the shop's team key record does not verify");
      const wrap = wraps.find((w) => w.deviceId === this.#o.identity.deviceId && w.version === key.version);
      const secret = wrap ? await openTeamKeyWrap(wrap, this.#o.identity, key) : await this.#restore(key);
      if (secret) {
        this.#record = key;
        this.#secret = secret;
        this.#o.remember(shopId, key);
        await this.#store(key, secret);
      }
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
    await this.#store(record, secret);
    try {
      await this.#o.request("team.init", { record });
    } catch (err) {
      await this.#o.storage.delete(this.#storageKey());
      if (err instanceof ParleyError && err.code === "forbidden") {
        this.#admin = false;
        return;
      }
      if (err instanceof ParleyError && err.code === "conflict") return; // another admin device won: its wrap will come
      throw err;
    }
    this.#admin = true;
    this.#record = record;
    this.#secret = secret;
    this.#o.remember(shopId, record);
  }

  async #wrapWaiting(): Promise<void> {
    const secret = this.#secret;
    const record = this.#record;
    if (!secret || !record) return;
    let listed: RpcResult<"team.devices">;
    try {
      listed = await this.#o.request("team.devices", {});
    } catch (err) {
      if (err instanceof ParleyError && err.code === "forbidden") {
        this.#admin = false;
        return;
      }
      throw err;
    }
    this.#admin = true;
    const { key, devices } = listed;
    if (!key || key.version !== record.version || key.boxPk !== record.boxPk) return;
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
  }

  #storageKey(): string {
    return `parley:team:${this.#o.principal.shopId}:${this.#o.identity.deviceId}`;
  }

  async #store(record: TeamKeyRecord, secret: TeamKeySecret): Promise<void> {
    const value: StoredSecret = {
      v: 1,
      shopId: record.shopId,
      version: record.version,
      boxSk: toBase64Url(secret.boxSk),
      sigSeed: toBase64Url(secret.sigSeed),
    };
    await this.#o.storage.set(this.#storageKey(), JSON.stringify(value));
  }

  /** The secret this device kept for `record` (the device that made it), when its keys match the record. */
  async #restore(record: TeamKeyRecord): Promise<TeamKeySecret | undefined> {
    const text = await this.#o.storage.get(this.#storageKey());
    if (!text) return undefined;
    let value: Partial<StoredSecret>;
    try {
      value = JSON.parse(text) as Partial<StoredSecret>;
    } catch {
      return undefined;
    }
    if (value.v !== 1 || value.version !== record.version || typeof value.boxSk !== "string") return undefined;
    if (typeof value.sigSeed !== "string") return undefined;
    const sodium = await loadSodium();
    const boxSk = fromBase64Url(value.boxSk);
    const sigSeed = fromBase64Url(value.sigSeed);
    if (boxSk.length !== 32 || sigSeed.length !== 32) return undefined;
    const boxPk = sodium.crypto_scalarmult_base(boxSk);
    const sigPk = sodium.crypto_sign_seed_keypair(sigSeed).publicKey;
    if (toBase64Url(boxPk) !== record.boxPk || toBase64Url(sigPk) !== record.sigPk) return undefined;
    return { boxSk, boxPk, sigSeed };
  }
}
