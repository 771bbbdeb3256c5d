/**
 * The embedded store's key aggregates: epoch chains, team keys and key
 * backups. The two compare-and-set writes run in IMMEDIATE transactions: with
 * the write lock taken up front nobody moves the head in between, so the
 * shared rule (rules/compare-and-set.ts) decides on a value that holds.
 */
import type { EpochCommit, KeyBackupEntry, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import type { AppendCommitResult, EpochStore } from "../port/epochs.js";
import { StoreNotFoundError } from "../port/errors.js";
import type { KeyBackupStore } from "../port/key-backups.js";
import type { TeamKeyStore } from "../port/team-keys.js";
import { acceptedCommit, chainHead, isNext, refusedCommit, teamKeyResult } from "../rules/compare-and-set.js";
import { clampLimit } from "../rules/limits.js";
import { commitDoc, keyBackupDoc, teamKeyDoc, teamWrapDoc, withTeamDefaults } from "../rules/records.js";
import { toTeamKey, toTeamWrap } from "./rows.js";
import type { SqliteContext } from "./statements.js";

export class SqliteKeys implements EpochStore, TeamKeyStore, KeyBackupStore {
  readonly #c: SqliteContext;
  readonly #appendCommit: (commit: EpochCommit) => AppendCommitResult;
  readonly #putTeamKey: (record: TeamKeyRecord) => { accepted: boolean; version: number };
  readonly #putKeyBackups: (principalId: string, entries: readonly KeyBackupEntry[]) => void;

  constructor(context: SqliteContext) {
    this.#c = context;
    const { db } = context;
    this.#appendCommit = db.transaction((commit: EpochCommit): AppendCommitResult => {
      const s = context.s;
      const doc = commitDoc(commit);
      const cached = s.convEpoch.get(doc.convId);
      if (cached === undefined) throw new StoreNotFoundError(`conversation ${doc.convId} does not exist`);
      // The commits are the truth: a head left behind (a commit stored by hand, an old file) is moved up here.
      const head = chainHead(cached, s.maxCommitEpoch.get(doc.convId));
      if (head !== cached) s.raiseEpoch.run(head, doc.convId);
      if (!isNext(head, doc.epoch)) return refusedCommit(head);
      s.insertCommit.run(doc.convId, doc.epoch, JSON.stringify(doc));
      s.raiseEpoch.run(doc.epoch, doc.convId);
      return acceptedCommit(doc.epoch);
    }).immediate;
    // One transaction: a put stores all of its entries or none.
    this.#putKeyBackups = db.transaction((principalId: string, entries: readonly KeyBackupEntry[]) => {
      const s = context.s;
      for (const e of entries.map((entry) => keyBackupDoc(principalId, entry))) {
        s.putKeyBackup.run(e.principalId, e.convId, e.epoch, e.v, e.ct);
      }
    }).immediate;
    // Same ground as `appendCommit`: under the write lock the highest stored version is the current one.
    this.#putTeamKey = db.transaction((record: TeamKeyRecord): { accepted: boolean; version: number } => {
      const s = context.s;
      const r = teamKeyDoc(record);
      const current = s.teamVersion.get(r.shopId) ?? 0;
      if (!isNext(current, r.version)) return teamKeyResult(false, current);
      const { principalId, deviceId } = r.createdBy;
      s.insertTeamKey.run(r.shopId, r.version, r.boxPk, r.sigPk, principalId, deviceId, r.ts, r.sig, r.prevSig ?? null);
      return teamKeyResult(true, r.version);
    }).immediate;
  }

  async appendCommit(commit: EpochCommit): Promise<AppendCommitResult> {
    return this.#c.write(() => {
      const result = this.#appendCommit(commit);
      // Accepted or refused, the head may have moved (a repair raises it too): raiseEpoch is a MAX.
      this.#c.cache?.raiseEpoch(commit.convId, result.head);
      return result;
    });
  }

  async epochHead(convId: string, cached: number): Promise<number> {
    const s = this.#c.s;
    const stored = s.convEpoch.get(convId);
    if (stored === undefined) throw new StoreNotFoundError(`conversation ${convId} does not exist`);
    const head = chainHead(Math.max(cached, stored), s.maxCommitEpoch.get(convId));
    // Here a head lags only after a commit stored by hand or an old file: the commit and its move share a transaction.
    if (head > stored) {
      await this.#c.write(() => {
        s.raiseEpoch.run(head, convId);
        this.#c.cache?.raiseEpoch(convId, head);
      });
    }
    return head;
  }

  async listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]> {
    return this.#c.s.listCommits
      .all(convId, after, clampLimit(limit))
      .map((body) => withTeamDefaults(JSON.parse(body) as Partial<EpochCommit>));
  }

  async getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined> {
    const s = this.#c.s;
    if (version !== undefined) {
      const row = s.teamKeyVersion.get(shopId, version);
      return row && toTeamKey(row);
    }
    const load = () => {
      const row = s.teamKey.get(shopId);
      return row && toTeamKey(row);
    };
    return this.#c.cache ? this.#c.cache.teamKey(shopId, load) : load();
  }

  async putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }> {
    return this.#c.write(() => {
      const result = this.#putTeamKey(record);
      this.#c.cache?.forgetTeamKey(record.shopId);
      return result;
    });
  }

  async putTeamWrap(wrap: TeamKeyWrap): Promise<void> {
    const { shopId, version, deviceId, principalId, sealed, wrappedBy, ts, sig } = teamWrapDoc(wrap);
    const by = wrappedBy;
    await this.#c.write(() =>
      this.#c.s.putTeamWrap.run(shopId, version, deviceId, principalId, sealed, by.principalId, by.deviceId, ts, sig),
    );
  }

  async listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]> {
    const s = this.#c.s;
    const rows =
      principalId === undefined ? s.teamWraps.all(shopId, version) : s.teamWrapsOf.all(shopId, version, principalId);
    return rows.map(toTeamWrap);
  }

  async putKeyBackups(principalId: string, entries: readonly KeyBackupEntry[]): Promise<void> {
    await this.#c.write(() => this.#putKeyBackups(principalId, entries));
  }

  async listKeyBackups(principalId: string, convId: string, after: number, limit: number): Promise<KeyBackupEntry[]> {
    return this.#c.s.listKeyBackups
      .all(principalId, convId, after, clampLimit(limit))
      .map((r) => ({ convId: r.conv_id, epoch: r.epoch, v: r.v, ct: r.ct }));
  }
}
