/**
 * Where an agent device keeps the team key's secret halves: one entry per
 * version (`parley:team:<shop>:<device>:<version>`), so that epochs, vouches and
 * notes sealed under an older version stay readable after a rotation. The
 * unversioned key `parley:team:<shop>:<device>` (the only one before rotation
 * existed) keeps the newest version too, and an older version found only there
 * is copied under its own key before it is replaced.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import { loadSodium } from "../crypto/sodium.js";
import type { TeamKeySecret } from "../crypto/team-key.js";
import type { TeamKeyRecord } from "../protocol/models.js";
import type { KeyValueStorage } from "../storage.js";

/** How the stored secret of a team key looks. */
interface StoredSecret {
  v: 1;
  shopId: string;
  version: number;
  boxSk: string;
  sigSeed: string;
}

/** One device's kept team key secrets, by version. */
export class TeamKeySecrets {
  readonly #storage: KeyValueStorage;
  readonly #prefix: string;

  constructor(storage: KeyValueStorage, shopId: string, deviceId: string) {
    this.#storage = storage;
    this.#prefix = `parley:team:${shopId}:${deviceId}`;
  }

  /** Keeps `secret` as version `record.version` (and as the newest). */
  async store(record: TeamKeyRecord, secret: TeamKeySecret): Promise<void> {
    const value: StoredSecret = {
      v: 1,
      shopId: record.shopId,
      version: record.version,
      boxSk: toBase64Url(secret.boxSk),
      sigSeed: toBase64Url(secret.sigSeed),
    };
    const text = JSON.stringify(value);
    const legacy = parse(await this.#storage.get(this.#prefix));
    if (
      legacy &&
      legacy.version !== record.version &&
      (await this.#storage.get(this.#key(legacy.version))) === undefined
    ) {
      await this.#storage.set(this.#key(legacy.version), JSON.stringify(legacy));
    }
    await this.#storage.set(this.#key(record.version), text);
    if (!legacy || legacy.version <= record.version) await this.#storage.set(this.#prefix, text);
  }

  /** Forgets version `version` (a record the gateway refused). */
  async forget(version: number): Promise<void> {
    await this.#storage.delete(this.#key(version));
    const legacy = parse(await this.#storage.get(this.#prefix));
    if (legacy?.version === version) await this.#storage.delete(this.#prefix);
  }

  /** Whether a secret for `version` is kept, without checking it against a record. */
  async has(version: number): Promise<boolean> {
    return (await this.#find(version)) !== undefined;
  }

  /** The kept secret for `record`, when its keys match the record's. */
  async restore(record: TeamKeyRecord): Promise<TeamKeySecret | undefined> {
    const value = await this.#find(record.version);
    if (!value) return undefined;
    const sodium = await loadSodium();
    const boxSk = fromBase64Url(value.boxSk);
    const sigSeed = fromBase64Url(value.sigSeed);
    if (boxSk.length !== 32 || sigSeed.length !== 32) return undefined;
    const boxPk = sodium.crypto_scalarmult_base(boxSk);
    const sigPk = sodium.crypto_sign_seed_keypair(sigSeed).publicKey;
    if (toBase64Url(boxPk) !== record.boxPk || toBase64Url(sigPk) !== record.sigPk) return undefined;
    return { boxSk, boxPk, sigSeed };
  }

  async #find(version: number): Promise<StoredSecret | undefined> {
    const own = parse(await this.#storage.get(this.#key(version)));
    if (own?.version === version) return own;
    const legacy = parse(await this.#storage.get(this.#prefix));
    return legacy?.version === version ? legacy : undefined;
  }

  #key(version: number): string {
    return `${this.#prefix}:${version}`;
  }
}

function parse(text: string | undefined): StoredSecret | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<StoredSecret>;
    if (value.v !== 1 || typeof value.version !== "number" || typeof value.boxSk !== "string") return undefined;
    if (typeof value.sigSeed !== "string") return undefined;
    return value as StoredSecret;
  } catch {
    return undefined;
  }
}
