/**
 * The MongoDB store's key aggregates: epoch chains, team keys and key backups.
 *
 * `appendCommit` rests on the same ground as `append`: the unique index
 * {convId, epoch} on commits picks the single winner of concurrent commits for
 * one epoch (inserts are atomic on FerretDB, updates are not), and only then is
 * the conversation's cached head moved with `$max`. A head that lags its
 * commits (a crash between the two writes, or two processes' updates crossing
 * on FerretDB) is re-derived from the highest stored commit and repaired.
 *
 * `putTeamKey` needs no cached head at all: the current version is the highest
 * stored one, and the unique index {shopId, version} on teamKeys picks the one
 * winner among concurrent inserts of the next version. Versions stay gapless
 * because a version is only ever inserted after its predecessor was read back.
 * Both decide with the shared rule (rules/compare-and-set.ts).
 */
import type { EpochCommit, KeyBackupEntry, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import type { AppendCommitResult, EpochStore } from "../port/epochs.js";
import { StoreNotFoundError } from "../port/errors.js";
import type { KeyBackupStore } from "../port/key-backups.js";
import type { TeamKeyStore } from "../port/team-keys.js";
import { acceptedCommit, chainHead, isNext, refusedCommit, teamKeyResult } from "../rules/compare-and-set.js";
import { clampLimit } from "../rules/limits.js";
import {
  commitDoc,
  type KeyBackupDoc,
  keyBackupDoc,
  num,
  str,
  teamKeyDoc,
  teamWrapDoc,
  withTeamDefaults,
} from "../rules/records.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

export class MongoKeys implements EpochStore, TeamKeyStore, KeyBackupStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async appendCommit(commit: EpochCommit): Promise<AppendCommitResult> {
    const doc = commitDoc(commit);
    // Queued with the conversation's appends and status changes: all of them rewrite its document.
    return this.#c.serial(`conv:${doc.convId}`, () => this.#c.run(() => this.#appendCommitNow(doc)));
  }

  async #appendCommitNow(doc: EpochCommit): Promise<AppendCommitResult> {
    const { convId, epoch } = doc;
    const conv = await this.#c.col.conversations.findOne({ id: convId }, { projection: { _id: 0, epoch: 1 } });
    if (!conv) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
    let head = conv.epoch ?? 0;
    // Not the next one by the cached head: the cached head may lag its commits, so ask them.
    if (!isNext(head, epoch)) head = await this.#commitHead(convId, head);
    if (!isNext(head, epoch)) return refusedCommit(head);
    try {
      await this.#c.col.commits.insertOne({ ...doc });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Another process (or a write whose head move never happened) holds this epoch.
      return refusedCommit(await this.#commitHead(convId, head));
    }
    await this.#c.col.conversations.updateOne({ id: convId }, { $max: { epoch } });
    return acceptedCommit(epoch);
  }

  async epochHead(convId: string, cached: number): Promise<number> {
    return this.#c.serial(`conv:${convId}`, () =>
      this.#c.run(async () => {
        const conv = await this.#c.col.conversations.findOne({ id: convId }, { projection: { _id: 0, epoch: 1 } });
        if (!conv) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
        return this.#commitHead(convId, Math.max(cached, conv.epoch ?? 0));
      }),
    );
  }

  /** The highest stored commit's epoch (at least `cached`); moves the conversation's head up when it lags. */
  async #commitHead(convId: string, cached: number): Promise<number> {
    const top = await this.#c.col.commits
      .find({ convId }, { projection: { _id: 0, epoch: 1 } })
      .sort({ epoch: -1 })
      .limit(1)
      .next();
    const head = chainHead(cached, top?.epoch);
    if (head > cached) await this.#c.col.conversations.updateOne({ id: convId }, { $max: { epoch: head } });
    return head;
  }

  async listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]> {
    const filter = { convId: str(convId, "convId"), epoch: { $gt: num(after, "after") } };
    const n = clampLimit(limit);
    if (n === 0) return Promise.resolve([]);
    // Commits stored before team signatures existed read as listed members' commits.
    return this.#c.run(async () =>
      (await this.#c.col.commits.find(filter, NO_ID).sort({ epoch: 1 }).limit(n).toArray()).map(withTeamDefaults),
    );
  }

  async getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined> {
    if (version !== undefined) {
      const exact = { shopId: str(shopId, "shopId"), version: num(version, "version") };
      return this.#c.run(async () => (await this.#c.col.teamKeys.findOne(exact, NO_ID)) ?? undefined);
    }
    const filter = { shopId: str(shopId, "shopId") };
    return this.#c.run(
      async () => (await this.#c.col.teamKeys.find(filter, NO_ID).sort({ version: -1 }).limit(1).next()) ?? undefined,
    );
  }

  async putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    const doc = teamKeyDoc(record);
    // Serialized per shop in this process so concurrent puts answer with a settled version;
    // across processes the unique index decides.
    return this.#c.serial(`team:${doc.shopId}`, () =>
      this.#c.run(async () => {
        const current = await this.#teamVersion(doc.shopId);
        if (!isNext(current, doc.version)) return teamKeyResult(false, current);
        try {
          await this.#c.col.teamKeys.insertOne({ ...doc });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          return teamKeyResult(false, await this.#teamVersion(doc.shopId));
        }
        return teamKeyResult(true, doc.version);
      }),
    );
  }

  /** The highest stored team key version of a shop, 0 when it has none. */
  async #teamVersion(shopId: string): Promise<number> {
    const top = await this.#c.col.teamKeys
      .find({ shopId }, { projection: { _id: 0, version: 1 } })
      .sort({ version: -1 })
      .limit(1)
      .next();
    return top?.version ?? 0;
  }

  async putTeamWrap(wrap: TeamKeyWrap): Promise<void> {
    const doc = teamWrapDoc(wrap);
    const key = { shopId: doc.shopId, version: doc.version, deviceId: doc.deviceId };
    return this.#c.run(async () => {
      await this.#c.upsert(this.#c.col.teamWraps, key, doc);
    });
  }

  async listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]> {
    const filter = {
      shopId: str(shopId, "shopId"),
      version: num(version, "version"),
      ...(principalId === undefined ? {} : { principalId: str(principalId, "principalId") }),
    };
    return this.#c.run(() => this.#c.col.teamWraps.find(filter, NO_ID).sort({ principalId: 1, deviceId: 1 }).toArray());
  }

  async putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void> {
    const docs = entries.map((e): KeyBackupDoc => keyBackupDoc(principalId, e));
    // Each replace is idempotent, so a put cut off half way is completed by the client's retry.
    return this.#c.run(async () => {
      for (const doc of docs) {
        const key = { principalId: doc.principalId, convId: doc.convId, epoch: doc.epoch };
        try {
          // Matches only an entry of a version up to this one; none left means insert.
          await this.#c.col.keyBackups.replaceOne({ ...key, v: { $lte: doc.v } }, doc, { upsert: true });
        } catch (error) {
          // The unique index refused the insert: an entry of a higher version is there (or a racing put
          // made one); try once more in case that racer's version was lower, else keep the higher one.
          if (!isDuplicateKey(error)) throw error;
          await this.#c.col.keyBackups.replaceOne({ ...key, v: { $lte: doc.v } }, doc).catch((e: unknown) => {
            if (!isDuplicateKey(e)) throw e;
          });
        }
      }
    });
  }

  async listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]> {
    const filter = {
      principalId: str(principalId, "principalId"),
      convId: str(convId, "convId"),
      epoch: { $gt: num(after, "after") },
    };
    const n = clampLimit(limit);
    if (n === 0) return [];
    const docs = await this.#c.run(() =>
      this.#c.col.keyBackups.find(filter, NO_ID).sort({ epoch: 1 }).limit(n).toArray(),
    );
    return docs.map((d) => ({ convId: d.convId, epoch: d.epoch, v: d.v, ct: d.ct }));
  }
}
