/**
 * Which keys this device holds for one conversation's epochs, and where each
 * came from: its own wraps (the keyring) or its own commits, a history grant
 * (with the member who granted it, shown as "shared by"), or its principal's
 * key backup. Also the commits applied in this session, which say who was a
 * member of each epoch. The base of {@link ConversationEpochs}, which keeps
 * the chain in step and commits.
 *
 * Keys of epochs from before this device joined can arrive in a history grant
 * from the member who invited it; they are kept apart, with who granted them,
 * so messages read with them are labelled "shared by" that member. Keys of
 * epochs this principal was a member of can also come back from the
 * principal's key backup (ADR 0016) on a new device: kept apart too, and read
 * like the device's own.
 */
import type { EpochKeyring } from "../crypto/keyring.js";
import type { EpochCommit } from "../protocol/models.js";

export class ConversationKeys {
  /** The conversation's verified chain and the keys opened from this device's wraps. */
  protected readonly keyring: EpochKeyring;
  /** This device's principal. */
  protected readonly principalId: string;
  /**
   * Verified commits this session holds, by epoch: applied in this session, or
   * older ones that chain back from those. Agents open their team wrap later
   * if the team key arrives late; grants read who added whom and when.
   */
  protected readonly commits = new Map<number, EpochCommit>();
  /** Keys the keyring does not hold: opened later through the team key, or kept from this device's own commit. */
  protected readonly extraKeys = new Map<number, Uint8Array>();
  /** Keys of epochs before this device joined, from a history grant, with the granting principal. */
  readonly #granted = new Map<number, { key: Uint8Array; by: string }>();
  /** Keys of epochs this principal was a member of, restored from its key backup. */
  readonly #restored = new Map<number, Uint8Array>();

  constructor(keyring: EpochKeyring, principalId: string) {
    this.keyring = keyring;
    this.principalId = principalId;
  }

  keyFor(epoch: number): Uint8Array | undefined {
    return (
      this.keyring.keyFor(epoch) ??
      this.extraKeys.get(epoch) ??
      this.#restored.get(epoch) ??
      this.#granted.get(epoch)?.key
    );
  }

  /** Who granted the key of `epoch`, when this device holds it only through a history grant. */
  grantedBy(epoch: number): string | undefined {
    if (this.keyring.keyFor(epoch) ?? this.extraKeys.get(epoch) ?? this.#restored.get(epoch)) return undefined;
    return this.#granted.get(epoch)?.by;
  }

  /** Adds granted keys for epochs this device has no key for; resolves how many were new. */
  acceptGrant(keys: ReadonlyMap<number, Uint8Array>, by: string): number {
    let added = 0;
    for (const [epoch, key] of keys) {
      if (this.keyFor(epoch)) continue;
      this.#granted.set(epoch, { key, by });
      added++;
    }
    return added;
  }

  /**
   * Adds keys restored from this principal's key backup, for epochs this
   * device has no key for and whose verified commit (when this device applied
   * it) lists this principal; resolves how many were new.
   */
  acceptRestored(keys: ReadonlyMap<number, Uint8Array>): number {
    let added = 0;
    for (const [epoch, key] of keys) {
      if (this.keyring.keyFor(epoch) ?? this.extraKeys.get(epoch) ?? this.#restored.get(epoch)) continue;
      if (epoch > this.keyring.epoch || this.listsPrincipalAt(epoch) === false) continue;
      this.#restored.set(epoch, key);
      added++;
    }
    return added;
  }

  /** The restored keys, for storage. */
  restoredKeys(): ReadonlyMap<number, Uint8Array> {
    return this.#restored;
  }

  /**
   * The keys this device holds as a member: opened from its own wraps or kept
   * from its own commits (what it puts in the key backup). Not granted or
   * restored ones.
   */
  ownKeys(): Map<number, Uint8Array> {
    const keys = new Map<number, Uint8Array>();
    for (let epoch = 1; epoch <= this.keyring.epoch; epoch++) {
      const key = this.keyring.keyFor(epoch) ?? this.extraKeys.get(epoch);
      if (key) keys.set(epoch, key);
    }
    return keys;
  }

  /**
   * Whether the verified commit of `epoch` lists this device's principal;
   * undefined when this device did not apply that commit in this session.
   */
  listsPrincipalAt(epoch: number): boolean | undefined {
    return this.commitAt(epoch)?.members.some((m) => m.principalId === this.principalId);
  }

  /** The granted keys, for storage. */
  grantedKeys(): ReadonlyMap<number, { key: Uint8Array; by: string }> {
    return this.#granted;
  }

  /**
   * The commit that added `principalId`: the newest one listing it whose
   * predecessor did not. Looks only at the verified commits this session
   * holds (undefined when the answer lies further back).
   */
  protected addingCommit(principalId: string): EpochCommit | undefined {
    const commitAt = (epoch: number) => this.commitAt(epoch);
    const lists = (c: EpochCommit) => c.members.some((m) => m.principalId === principalId);
    for (let epoch = this.keyring.epoch; epoch >= 1; epoch--) {
      const commit = commitAt(epoch);
      if (!commit || !lists(commit)) return undefined;
      if (epoch === 1) return commit;
      const before = commitAt(epoch - 1);
      if (!before) return undefined;
      if (!lists(before)) return commit;
    }
    return undefined;
  }

  /**
   * The verified commit of `epoch`, when this session holds it: applied in
   * this session, the head, or an older one that chains back from those
   * (`ConversationEpochs.loadChain`).
   */
  commitAt(epoch: number): EpochCommit | undefined {
    return this.commits.get(epoch) ?? (this.keyring.head?.epoch === epoch ? this.keyring.head : undefined);
  }
}
