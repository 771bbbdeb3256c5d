/**
 * The customer side of key backup (ADR 0016). With the secret the shop's
 * backend handed this device, it
 *
 * - puts every epoch key it holds as a member into the principal's backup on
 *   the gateway (`keys.backup.put`), sealed so only the customer's devices and
 *   the shop can open it;
 * - and, when it must open a message of an epoch it holds no key for (a new
 *   device), lists the conversation's backup (`keys.backup.list`), opens the
 *   entries sealed under its secret's version and hands the keys to the
 *   conversation, which keeps only epochs whose verified commit lists this
 *   principal.
 *
 * An entry of this version that does not open (a wrong secret, or an entry
 * the gateway swapped or changed) is reported once and never replaced: a
 * device with a wrong secret cannot overwrite what the right one sealed. An
 * entry of a higher version (the shop gave the customer a new secret) is left
 * alone; one of a lower version is sealed again under this one.
 */
import { type BackupKey, deriveBackupKey, openBackupEntry, sealBackupEntry } from "../crypto/key-backup.js";
import { MAX_KEY_BACKUP_PAGE, MAX_KEY_BACKUP_PUT } from "../protocol/key-backup.js";
import type { PrincipalInfo } from "../protocol/models.js";
import type { ConversationEpochs } from "./conversation-epochs.js";
import type { Rpc } from "./rpc.js";

/** Pages of one conversation's backup fetched at most (a lying gateway cannot keep us listing). */
const MAX_PAGES = 20;

interface Listing {
  /** Keys that opened, by epoch. */
  opened: Map<number, Uint8Array>;
  /** Epochs with an entry that must not be replaced (it opened, is of a higher version, or is of this version and refused). */
  keep: Set<number>;
  /** The head epoch when listed: a later epoch may have entries made since. */
  head: number;
}

export interface KeyBackupOptions {
  request: Rpc;
  principal: PrincipalInfo;
  /** A refused entry or a failed put, for the client's `error` event. */
  onError: (error: Error) => void;
}

export class KeyBackup {
  readonly #o: KeyBackupOptions;
  readonly #key: BackupKey;
  readonly #listings = new Map<string, Promise<Listing>>();
  readonly #saving = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  /** Epochs this session has put (or found in the backup), per conversation. */
  readonly #saved = new Map<string, Set<number>>();
  readonly #reported = new Set<string>();

  private constructor(options: KeyBackupOptions, key: BackupKey) {
    this.#o = options;
    this.#key = key;
  }

  /** Derives the backup key; rejects with a TypeError for a secret not in the `v<n>.<base64url>` form. */
  static async open(options: KeyBackupOptions, secret: string): Promise<KeyBackup> {
    const key = await deriveBackupKey(secret, options.principal.shopId, options.principal.id);
    return new KeyBackup(options, key);
  }

  /** Restores what the backup holds for `conv`'s epochs this device lacks; resolves how many keys were new. */
  async restore(conv: ConversationEpochs): Promise<number> {
    const listing = await this.#list(conv);
    return conv.acceptRestored(listing.opened);
  }

  /** Puts the keys `conv` holds as a member that the backup lacks. Single-flight per conversation; never rejects. */
  save(conv: ConversationEpochs): Promise<void> {
    const convId = conv.convId;
    const running = this.#saving.get(convId);
    if (running) {
      this.#again.add(convId);
      return running;
    }
    const work = (async () => {
      do {
        this.#again.delete(convId);
        await this.#saveOnce(conv);
      } while (this.#again.has(convId));
    })()
      .catch((err: Error) =>
        this.#o.onError(new Error(`key backup of ${convId} failed: ${err.message}`, { cause: err })),
      )
      .finally(() => this.#saving.delete(convId));
    this.#saving.set(convId, work);
    return work;
  }

  async #saveOnce(conv: ConversationEpochs): Promise<void> {
    const saved = this.#saved.get(conv.convId) ?? new Set<number>();
    this.#saved.set(conv.convId, saved);
    const held = [...conv.ownKeys()].filter(([epoch]) => !saved.has(epoch) && conv.listsPrincipalAt(epoch) !== false);
    if (held.length === 0) return;
    const listing = await this.#list(conv, Math.max(...held.map(([e]) => e)));
    const todo = held.filter(([epoch]) => {
      if (!listing.keep.has(epoch)) return true;
      saved.add(epoch);
      return false;
    });
    for (let i = 0; i < todo.length; i += MAX_KEY_BACKUP_PUT) {
      const batch = todo.slice(i, i + MAX_KEY_BACKUP_PUT);
      const entries = await Promise.all(
        batch.map(([epoch, key]) => sealBackupEntry(this.#key, this.#o.principal.id, conv.convId, epoch, key)),
      );
      await this.#o.request("keys.backup.put", { entries });
      for (const [epoch, key] of batch) {
        saved.add(epoch);
        listing.keep.add(epoch);
        listing.opened.set(epoch, key);
      }
    }
  }

  /** The conversation's backup, listed once per session (again when asked about an epoch past the last listing). */
  #list(conv: ConversationEpochs, upTo = conv.epoch): Promise<Listing> {
    const cached = this.#listings.get(conv.convId);
    const listing = cached?.then((l) => (l.head >= upTo ? l : this.#fetch(conv))) ?? this.#fetch(conv);
    this.#listings.set(conv.convId, listing);
    listing.catch(() => this.#listings.delete(conv.convId));
    return listing;
  }

  async #fetch(conv: ConversationEpochs): Promise<Listing> {
    const head = conv.epoch;
    const listing: Listing = { opened: new Map(), keep: new Set(), head };
    let after = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { entries, hasMore } = await this.#o.request("keys.backup.list", {
        convId: conv.convId,
        after,
        limit: MAX_KEY_BACKUP_PAGE,
      });
      for (const entry of entries) {
        if (entry.convId !== conv.convId || entry.epoch <= after) continue; // not what was asked for
        after = entry.epoch;
        if (entry.v > this.#key.version) listing.keep.add(entry.epoch);
        if (entry.v !== this.#key.version) continue;
        listing.keep.add(entry.epoch);
        try {
          listing.opened.set(entry.epoch, await openBackupEntry(this.#key, this.#o.principal.id, entry));
        } catch (err) {
          this.#report(conv.convId, entry.epoch, err as Error);
        }
      }
      if (!hasMore || entries.length === 0) break;
    }
    return listing;
  }

  /** Once per conversation: the rest would only repeat it. */
  #report(convId: string, epoch: number, error: Error): void {
    if (this.#reported.has(convId)) return;
    this.#reported.add(convId);
    this.#o.onError(
      new Error(
        `key backup entry of ${convId} epoch ${epoch} did not open (a wrong key backup secret, or an entry changed on the server); it was refused`,
        { cause: error },
      ),
    );
  }
}
