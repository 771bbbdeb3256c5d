/**
 * One conversation's epoch keys on one device: the verified head of the
 * commit chain, the keys this device could open, and a message count per
 * epoch for the rotation rule. Commits are applied strictly in order, each
 * verified against the one before it (committer devices resolved through the
 * {@link DeviceDirectory} pins); the first that fails rejects with
 * {@link CommitError} and the keyring stays at the last good head. The caller
 * may then {@link EpochKeyring.skip} a commit that continues the chain but
 * fails its other checks: it becomes the chain's tip (the next commit must
 * follow it by hash) without giving a key or a member set; the head stays the
 * last valid commit. State persists in the injected storage, one key per
 * conversation, keys in base64url (a skipped tip is not kept: it is skipped
 * again on the next sync).
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { EpochCommit } from "../protocol/models.js";
import type { KeyValueStorage } from "../storage.js";
import {
  CommitError,
  commitHash,
  commitShapeProblem,
  openCommitKey,
  type TeamBoxKey,
  verifyCommit,
} from "./commits.js";
import { type DeviceDirectory, KeyStoreError } from "./device-directory.js";
import type { DeviceIdentity } from "./device-keys.js";
import { EPOCH_KEY_BYTES } from "./message-crypto.js";

/** A new epoch at least every 7 days (docs/security.md, "Epochs") ... */
export const ROTATE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;
/** ... or every 100 messages: an epoch carries at most this many. */
export const ROTATE_AFTER_MESSAGES = 100;

/**
 * Why the next send must be preceded by a commit: `no_epoch` (the chain is
 * empty: commit "create"), `members` (someone joined or left: "add" or
 * "remove"), `policy` ("policy"), `no_key` (this device holds no key for the
 * head, e.g. a member's new device: "rotate" including it), `age` and
 * `messages` ("rotate").
 */
export type RotationTrigger = "no_epoch" | "members" | "policy" | "no_key" | "age" | "messages";

/** What {@link rotationDue} weighs. */
export interface RotationInput {
  /** The current time, ms. */
  now: number;
  /**
   * Messages sent and received so far in the head epoch.
   * @default the keyring's own count for the head epoch
   */
  messagesInEpoch?: number;
  /** The member set (principals or their devices) differs from the head's. @default false */
  memberSetChanged?: boolean;
  /** The history policy is to change. @default false */
  policyChanged?: boolean;
}

/**
 * The rotation rule for a head commit: on add and remove (before the next
 * send), on a history-policy change, once the head is 7 days old (by its `ts`)
 * or has carried 100 messages.
 */
export function rotationDue(
  head: EpochCommit | undefined,
  input: RotationInput & { messagesInEpoch: number; holdsKey: boolean },
): RotationTrigger | undefined {
  if (!head) return "no_epoch";
  if (input.memberSetChanged) return "members";
  if (input.policyChanged) return "policy";
  if (!input.holdsKey) return "no_key";
  if (input.now - head.ts >= ROTATE_AFTER_MS) return "age";
  if (input.messagesInEpoch >= ROTATE_AFTER_MESSAGES) return "messages";
  return undefined;
}

/** Options of {@link EpochKeyring.open}. */
export interface EpochKeyringOptions {
  /** Where the epoch keys are kept. */
  storage: KeyValueStorage;
  /** The conversation. */
  convId: string;
  /** This device: opens its wraps. */
  identity: DeviceIdentity;
  /** Resolves committer devices to their pinned records. */
  directory: DeviceDirectory;
  /**
   * Prefix of the storage key; the conversation id follows it.
   * @default "parley.epochs."
   */
  storageKeyPrefix?: string;
}

/** What {@link EpochKeyring.apply} may need to verify and open team commits. */
export interface ApplyContext {
  /** The pinned team key's Ed25519 public key by version: vouches for commits by the shop's team. */
  teamSigPk?: (version: number) => Uint8Array | undefined;
  /**
   * The shop's team key, on agent devices: opens `teamWrap` when the commit has no wrap for this device.
   * Every version held, after a rotation (a format-2 commit names the version it is sealed to).
   */
  teamKey?: TeamBoxKey | readonly TeamBoxKey[];
}

/** What {@link EpochKeyring.apply} did. */
export interface ApplyResult {
  /** Epochs newly accepted as head, in order. */
  applied: number[];
  /** Of those, the epochs whose key this device now holds. */
  opened: number[];
  /** Of those, the epochs whose wrap for this device (or the team wrap) was there but did not open. */
  unreadable: number[];
}

const STORED_VERSION = 1;

/** One conversation's verified epoch chain and the epoch keys this device holds, kept in storage. */
export class EpochKeyring {
  /** The conversation. */
  readonly convId: string;
  readonly #storage: KeyValueStorage;
  readonly #storageKey: string;
  readonly #identity: DeviceIdentity;
  readonly #directory: DeviceDirectory;
  #head: EpochCommit | undefined;
  #headHash = "";
  /** A commit after the head that failed verification and was skipped: the chain's tip, with no key. */
  #skipped: EpochCommit | undefined;
  #skippedHash = "";
  readonly #keys = new Map<number, Uint8Array>();
  readonly #counts = new Map<number, number>();
  /**
   * The stored JSON up to its `counts` (head and keys, which change only with a commit), kept between
   * writes: each message counted rewrites only the counts instead of serializing the head commit and
   * encoding every key again. Cleared whenever the head or the keys change.
   */
  #storedHead: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: EpochKeyringOptions) {
    this.convId = options.convId;
    this.#storage = options.storage;
    this.#storageKey = `${options.storageKeyPrefix ?? "parley.epochs."}${options.convId}`;
    this.#identity = options.identity;
    this.#directory = options.directory;
  }

  /** Loads the conversation's state (none yet is fine); rejects with {@link KeyStoreError} when it cannot be read. */
  static async open(options: EpochKeyringOptions): Promise<EpochKeyring> {
    const keyring = new EpochKeyring(options);
    const text = await options.storage.get(keyring.#storageKey);
    if (text !== undefined) await keyring.#restore(text);
    return keyring;
  }

  /** The verified head commit, or undefined before the first. */
  get head(): EpochCommit | undefined {
    return this.#head;
  }

  /**
   * The tip of the chain: the head, or the skipped commit after it (what the
   * next commit must follow by `prevHash`); undefined before the first commit.
   */
  get tip(): EpochCommit | undefined {
    return this.#skipped ?? this.#head;
  }

  /** The tip's epoch (the head's unless a commit after it was skipped); 0 before the first commit. */
  get epoch(): number {
    return this.tip?.epoch ?? 0;
  }

  /**
   * Takes `commit`, which failed verification, as the chain's tip without its
   * key or members (a commit that does not verify is treated as absent, rather
   * than stopping the conversation). Only a commit that continues the chain
   * may be skipped: the tip's conversation, the next epoch, and a `prevHash`
   * that is the tip's hash; anything else rejects with `bad_chain` (a gateway
   * that breaks the chain is still refused). Serialised with {@link apply}.
   */
  skip(commit: EpochCommit): Promise<void> {
    const run = this.#queue.then(async () => {
      if (commitShapeProblem(commit)) throw new CommitError("bad_shape", "a malformed commit cannot be skipped");
      if (commit.convId !== this.convId) throw new CommitError("bad_chain", "commit of another conversation");
      const tip = this.tip;
      const tipHash = this.#skipped ? this.#skippedHash : this.#headHash;
      if (commit.epoch !== (tip?.epoch ?? 0) + 1 || commit.prevHash !== (tip ? tipHash : "")) {
        throw new CommitError("bad_chain", `epoch ${commit.epoch} does not continue the chain`);
      }
      this.#skippedHash = await commitHash(commit);
      this.#skipped = commit;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** The key of `epoch`, or undefined when this device was not given it. */
  keyFor(epoch: number): Uint8Array | undefined {
    return this.#keys.get(epoch);
  }

  /**
   * Verifies and applies `commits` in order (typically `epoch.list` after
   * {@link epoch}, or one live commit event). Commits at or below the head
   * are skipped when they are the ones already applied; a different commit
   * for the head's epoch is a fork and rejects with `bad_chain`, a gap too.
   * Rejects at the first commit that fails, having kept (and persisted)
   * those before it. Calls are serialised.
   */
  apply(commits: readonly EpochCommit[], context: ApplyContext = {}): Promise<ApplyResult> {
    const run = this.#queue.then(() => this.#apply(commits, context));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Counts one message (sent or received) in `epoch`, for the 100-message rule. */
  noteMessage(epoch: number): Promise<void> {
    const run = this.#queue.then(async () => {
      this.#counts.set(epoch, (this.#counts.get(epoch) ?? 0) + 1);
      await this.#persist();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Messages counted in `epoch` and every later epoch. */
  messagesSince(epoch: number): number {
    let total = 0;
    for (const [e, n] of this.#counts) if (e >= epoch) total += n;
    return total;
  }

  /** Whether a commit must come before the next send, and why; see {@link rotationDue}. */
  needsRotation(input: RotationInput): RotationTrigger | undefined {
    const head = this.#head;
    return rotationDue(head, {
      ...input,
      messagesInEpoch: input.messagesInEpoch ?? (head ? this.messagesSince(head.epoch) : 0),
      // A skipped tip has no key: the next send commits over it.
      holdsKey: head !== undefined && this.#skipped === undefined && this.#keys.has(head.epoch),
    });
  }

  async #apply(commits: readonly EpochCommit[], context: ApplyContext): Promise<ApplyResult> {
    const result: ApplyResult = { applied: [], opened: [], unreadable: [] };
    try {
      for (const commit of commits) {
        const problem = commitShapeProblem(commit);
        if (problem) throw new CommitError("bad_shape", problem);
        if (commit.convId !== this.convId) throw new CommitError("bad_chain", "commit of another conversation");
        const head = this.#head;
        const tip = this.tip;
        if (tip && commit.epoch <= tip.epoch) {
          const tipHash = this.#skipped ? this.#skippedHash : this.#headHash;
          if (commit.epoch === tip.epoch && (await commitHash(commit)) !== tipHash) {
            throw new CommitError("bad_chain", `a second commit for epoch ${commit.epoch}`);
          }
          continue;
        }
        const committerDevice = this.#directory.get(commit.committer.principalId, commit.committer.deviceId);
        await verifyCommit(commit, {
          prev: tip,
          committerDevice,
          // Over a skipped commit, who may commit is still the last valid commit's members.
          ...(this.#skipped ? { authority: head ? head.members : null } : {}),
          ...(context.teamSigPk ? { teamSigPk: context.teamSigPk } : {}),
        });
        let key: Uint8Array | undefined;
        try {
          key = await openCommitKey(commit, this.#identity, context.teamKey);
        } catch (error) {
          if (!(error instanceof CommitError)) throw error;
          result.unreadable.push(commit.epoch);
        }
        // Head, hash and key change together, with no await in between: a reader must never
        // see the new head without its key (it would rotate needlessly or report not_in_epoch).
        const hash = await commitHash(commit);
        this.#head = commit;
        this.#headHash = hash;
        this.#storedHead = undefined;
        this.#skipped = undefined;
        this.#skippedHash = "";
        result.applied.push(commit.epoch);
        if (key) {
          this.#keys.set(commit.epoch, key);
          result.opened.push(commit.epoch);
        }
      }
    } finally {
      if (result.applied.length > 0) await this.#persist();
    }
    return result;
  }

  /** Writes `{v, convId, head, keys, counts}`; the part before `counts` is serialized once per head. */
  async #persist(): Promise<void> {
    this.#storedHead ??= JSON.stringify({
      v: STORED_VERSION,
      convId: this.convId,
      head: this.#head ?? null,
      keys: [...this.#keys].map(([epoch, key]) => [epoch, toBase64Url(key)]),
    }).slice(0, -1);
    await this.#storage.set(this.#storageKey, `${this.#storedHead},"counts":${JSON.stringify([...this.#counts])}}`);
  }

  async #restore(text: string): Promise<void> {
    let value: { v?: unknown; convId?: unknown; head?: unknown; keys?: unknown; counts?: unknown };
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new KeyStoreError("stored epoch keys are not JSON", { cause });
    }
    if (
      value === null ||
      typeof value !== "object" ||
      value.v !== STORED_VERSION ||
      value.convId !== this.convId ||
      !Array.isArray(value.keys) ||
      !Array.isArray(value.counts)
    ) {
      throw new KeyStoreError("stored epoch keys have an unknown format");
    }
    if (value.head !== null) {
      if (commitShapeProblem(value.head)) throw new KeyStoreError("stored head commit is malformed");
      this.#head = value.head as EpochCommit;
      this.#headHash = await commitHash(this.#head);
    }
    const isEpoch = (e: unknown, max: number): e is number =>
      typeof e === "number" && Number.isSafeInteger(e) && e >= 1 && e <= max;
    for (const entry of value.keys as unknown[]) {
      const [epoch, key] = Array.isArray(entry) ? entry : [];
      const bytes = decodeKey(key);
      if (!isEpoch(epoch, this.epoch) || !bytes) throw new KeyStoreError("a stored epoch key is invalid");
      this.#keys.set(epoch, bytes);
    }
    for (const entry of value.counts as unknown[]) {
      const [epoch, count] = Array.isArray(entry) ? entry : [];
      if (!isEpoch(epoch, 2 ** 31) || typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) {
        throw new KeyStoreError("a stored message count is invalid");
      }
      this.#counts.set(epoch, count);
    }
  }
}

/** Strict base64url of a 32-byte key, or undefined. */
function decodeKey(text: unknown): Uint8Array | undefined {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]{43}$/.test(text)) return undefined;
  const bytes = fromBase64Url(text);
  return bytes.length === EPOCH_KEY_BYTES && toBase64Url(bytes) === text ? bytes : undefined;
}
