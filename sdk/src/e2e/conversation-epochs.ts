/**
 * One conversation's epoch chain on this device: keeps the {@link EpochKeyring}
 * in step with the gateway (`epoch.list`, live `commit` events), resolves
 * committers through the device directory, and commits the next epoch when
 * this device has to: "create" on a new conversation, "add"/"remove" when this
 * principal invited or removed someone, and before a send whenever
 * `needsRotation` says so. Commits race through the gateway's compare-and-set;
 * the loser syncs and rebuilds on the new head (bounded).
 *
 * Members are the conversation's customers and guests (roles owner/member);
 * the shop's agents and bots are never listed: they read through the team
 * wrap.
 *
 * Keys of epochs from before this device joined can arrive in a history grant
 * from the member who invited it; they are kept apart, with who granted them,
 * so messages read with them are labelled "shared by" that member. Keys of
 * epochs this principal was a member of can also come back from the
 * principal's key backup (ADR 0016) on a new device: kept apart too, and read
 * like the device's own.
 */
import { fromBase64Url } from "../base64url.js";
import { buildCommit, CommitError, openCommitKey } from "../crypto/commits.js";
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { DeviceIdentity } from "../crypto/device-keys.js";
import type { ApplyContext, EpochKeyring } from "../crypto/keyring.js";
import { EncryptionUnavailableError, ParleyError } from "../errors.js";
import type { CommitReason, DeviceRecord, EpochCommit, HistoryPolicy, PrincipalInfo } from "../protocol/models.js";
import type { Rpc } from "./rpc.js";
import type { TeamKeyHolder } from "./team-key-holder.js";

/** Commit attempts before giving up on a moving chain. */
const MAX_COMMIT_ATTEMPTS = 5;
/** Retries of one batch of commits after learning a committer's devices or the team's principals. */
const MAX_APPLY_RETRIES = 3;

export interface ConversationEpochsOptions {
  convId: string;
  request: Rpc;
  identity: DeviceIdentity;
  principal: PrincipalInfo;
  directory: DeviceDirectory;
  team: TeamKeyHolder;
  keyring: EpochKeyring;
  /**
   * Asked before giving up on an epoch this device holds no key for: fetches
   * the principal's key backup (which may call {@link acceptRestored}).
   */
  restore?: (conv: ConversationEpochs) => Promise<void>;
}

type Members = Array<{ principalId: string; devices: DeviceRecord[] }>;

export class ConversationEpochs {
  readonly convId: string;
  readonly #o: ConversationEpochsOptions;
  readonly #keyring: EpochKeyring;
  /** Commits applied in this session, by epoch: agents open their team wrap later if the team key arrives late. */
  readonly #commits = new Map<number, EpochCommit>();
  /** Keys the keyring does not hold: opened later through the team key, or kept from this device's own commit. */
  readonly #extraKeys = new Map<number, Uint8Array>();
  /** Keys of epochs before this device joined, from a history grant, with the granting principal. */
  readonly #granted = new Map<number, { key: Uint8Array; by: string }>();
  /** Whether the gateway's copy of an epoch's commit lists this principal (for explanations only). */
  readonly #listedAt = new Map<number, Promise<boolean | undefined>>();
  /** Keys of epochs this principal was a member of, restored from its key backup. */
  readonly #restored = new Map<number, Uint8Array>();
  /** Ed25519 public keys of the team key versions this device verified: they vouch for team commits. */
  readonly #teamSigPks = new Map<number, Uint8Array>();
  /** Agents and bots as the gateway's member roles say: not trusted for anything that matters. */
  readonly #listedTeam = new Set<string>();
  /** Principals of the shop's team seen in this conversation (may commit without being listed). */
  readonly #team = new Set<string>();
  #shopId: string | undefined;
  /** Whether the member set may differ from the head's; checked before the next send. */
  #membersDirty = true;
  #syncing: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(options: ConversationEpochsOptions) {
    this.#o = options;
    this.convId = options.convId;
    this.#keyring = options.keyring;
    if (options.team.isTeam) this.#team.add(options.principal.id);
  }

  get epoch(): number {
    return this.#keyring.epoch;
  }

  get head(): EpochCommit | undefined {
    return this.#keyring.head;
  }

  keyFor(epoch: number): Uint8Array | undefined {
    return (
      this.#keyring.keyFor(epoch) ??
      this.#extraKeys.get(epoch) ??
      this.#restored.get(epoch) ??
      this.#granted.get(epoch)?.key
    );
  }

  /** Who granted the key of `epoch`, when this device holds it only through a history grant. */
  grantedBy(epoch: number): string | undefined {
    if (this.#keyring.keyFor(epoch) ?? this.#extraKeys.get(epoch) ?? this.#restored.get(epoch)) return undefined;
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
      if (this.#keyring.keyFor(epoch) ?? this.#extraKeys.get(epoch) ?? this.#restored.get(epoch)) continue;
      if (epoch > this.#keyring.epoch || this.listsPrincipalAt(epoch) === false) continue;
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
    for (let epoch = 1; epoch <= this.#keyring.epoch; epoch++) {
      const key = this.#keyring.keyFor(epoch) ?? this.#extraKeys.get(epoch);
      if (key) keys.set(epoch, key);
    }
    return keys;
  }

  /**
   * Whether the verified commit of `epoch` lists this device's principal;
   * undefined when this device did not apply that commit in this session.
   */
  listsPrincipalAt(epoch: number): boolean | undefined {
    const commit = this.#commits.get(epoch) ?? (this.#keyring.head?.epoch === epoch ? this.#keyring.head : undefined);
    return commit?.members.some((m) => m.principalId === this.#o.principal.id);
  }

  /** The granted keys, for storage. */
  grantedKeys(): ReadonlyMap<number, { key: Uint8Array; by: string }> {
    return this.#granted;
  }

  /**
   * Every key this device can use for epochs before `before` (what it may pass
   * on in a grant). Team devices first open the team wraps of the commits
   * applied in this session that they have not opened yet.
   */
  async heldKeys(before: number): Promise<Map<number, Uint8Array>> {
    if (this.#o.team.isTeam) {
      if (!this.#o.team.boxKey) await this.#o.team.load().catch(() => undefined);
      for (let epoch = 1; epoch < before; epoch++) if (!this.keyFor(epoch)) await this.#openLate(epoch);
    }
    const keys = new Map<number, Uint8Array>();
    for (let epoch = 1; epoch < before; epoch++) {
      const key = this.keyFor(epoch);
      if (key) keys.set(epoch, key);
    }
    return keys;
  }

  /** The history policy in force at `epoch` (from its verified commit), if this device applied it. */
  policyAt(epoch: number): HistoryPolicy | undefined {
    return (this.#commits.get(epoch) ?? (this.#keyring.head?.epoch === epoch ? this.#keyring.head : undefined))
      ?.historyPolicy;
  }

  /**
   * The commit that added `principalId`: the newest one listing it whose
   * predecessor did not. Looks only at commits applied in this session
   * (undefined when the answer lies further back).
   */
  async commitAdding(principalId: string): Promise<EpochCommit | undefined> {
    await this.sync();
    const commitAt = (epoch: number) =>
      this.#commits.get(epoch) ?? (this.#keyring.head?.epoch === epoch ? this.#keyring.head : undefined);
    const lists = (c: EpochCommit) => c.members.some((m) => m.principalId === principalId);
    for (let epoch = this.#keyring.epoch; epoch >= 1; epoch--) {
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
   * Whether `principalId` proved it is on the shop's team: it made a commit here
   * that the team key vouched for (or it is this device's own principal on the
   * team). The gateway's member roles do not count.
   */
  provenTeam(principalId: string): boolean {
    return this.#team.has(principalId);
  }

  /**
   * Whether the gateway lists `principalId` as an agent or bot of this
   * conversation. Only for choices a lie cannot turn into a leak (not sending
   * a grant to someone who reads through the team key anyway).
   */
  async listedAsTeam(principalId: string): Promise<boolean> {
    if (this.#team.has(principalId) || this.#listedTeam.has(principalId)) return true;
    await this.#desiredMembers();
    return this.#listedTeam.has(principalId);
  }

  /** Commits the new history policy (reason "policy") unless the head already has it. */
  setHistoryPolicy(policy: HistoryPolicy): Promise<void> {
    return this.#exclusive(async () => {
      await this.#readyOnce();
      const head = this.#keyring.head;
      if (!head) throw new EncryptionUnavailableError("not_in_epoch", "the conversation has no epoch yet");
      if (head.historyPolicy === policy) return;
      await this.#commit("policy", { skipIfMembersMatch: false, historyPolicy: policy });
    });
  }

  noteMessage(epoch: number): Promise<void> {
    return this.#keyring.noteMessage(epoch);
  }

  /** Fetches and applies every commit after the head. Single-flight. */
  sync(): Promise<void> {
    this.#syncing ??= (async () => {
      for (;;) {
        const before = this.#keyring.epoch;
        const page = await this.#o.request("epoch.list", { convId: this.convId, after: before });
        if (page.commits.length > 0) await this.#apply(page.commits);
        // A page that moved nothing ends the sync, whatever `hasMore` says (a lying gateway cannot keep us asking).
        if (!page.hasMore || page.commits.length === 0 || this.#keyring.epoch === before) return;
      }
    })().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /** A live commit event: applied when it follows the head, otherwise the gap is fetched. */
  async onCommit(commit: EpochCommit): Promise<void> {
    if (commit.epoch === this.#keyring.epoch + 1) {
      try {
        await this.#apply([commit]);
        return;
      } catch (err) {
        if (!(err instanceof CommitError) || err.reason !== "bad_chain") throw err;
      }
    }
    if (commit.epoch > this.#keyring.epoch) await this.sync();
  }

  /**
   * A membership change: the next send checks the member set; when this
   * principal is the one who invited or removed (`by`), it commits now.
   */
  async onMembership(event: { principalId: string; change: "joined" | "left" | "removed"; by: string }): Promise<void> {
    this.#membersDirty = true;
    if (event.by !== this.#o.principal.id || event.principalId === this.#o.principal.id) return;
    await this.#exclusive(async () => {
      await this.#readyOnce();
      if (!this.#keyring.head) return; // nothing to add to yet: the first send creates the chain
      await this.#commit(event.change === "joined" ? "add" : "remove", { skipIfMembersMatch: true });
    });
  }

  /** A customer's new conversation: epoch 1 with the customer's devices and the shop's team key. */
  create(shopId: string): Promise<void> {
    this.#shopId = shopId;
    return this.#exclusive(async () => {
      await this.#readyOnce();
      if (!this.#keyring.head) await this.#commit("create", { skipIfMembersMatch: true });
    });
  }

  /** Before a send: commits first when the rotation rule asks for it, then makes sure this device holds the head's key. */
  prepareSend(): Promise<void> {
    return this.#exclusive(async () => {
      await this.#readyOnce();
      let desired: Members | undefined;
      let memberSetChanged = false;
      const head = this.#keyring.head;
      if (head && this.#membersDirty) {
        desired = await this.#desiredMembers();
        memberSetChanged = !sameMembers(head, desired);
        if (!memberSetChanged) this.#membersDirty = false;
      }
      const trigger = this.#keyring.needsRotation({ now: Date.now(), memberSetChanged });
      if (trigger === "no_key" && this.#o.team.isTeam) {
        if (!this.#o.team.boxKey) await this.#o.team.load().catch(() => undefined);
        await this.#openLate(this.#keyring.epoch);
        if (this.keyFor(this.#keyring.epoch)) return;
        if (!this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      }
      if (trigger) {
        const added =
          head && desired ? desired.some((m) => !head.members.some((h) => h.principalId === m.principalId)) : false;
        const reason: CommitReason =
          trigger === "no_epoch"
            ? "create"
            : trigger === "members"
              ? added
                ? "add"
                : "remove"
              : trigger === "policy"
                ? "policy"
                : "rotate";
        await this.#commit(reason, { skipIfMembersMatch: false });
      }
      if (!this.keyFor(this.#keyring.epoch))
        throw new EncryptionUnavailableError("not_in_epoch", `epoch ${this.epoch}`);
    });
  }

  /**
   * Before opening a message of `epoch`: syncs when it is ahead of the head,
   * and on agent devices opens the team wrap. Rejects with
   * {@link EncryptionUnavailableError} when this device cannot hold the key.
   */
  async prepareOpen(epoch: number): Promise<void> {
    if (epoch > this.#keyring.epoch) await this.sync();
    // A sync already under way when this message came may have listed the commits before this
    // epoch's existed (a new member loading history while the inviter commits): ask once more.
    if (epoch > this.#keyring.epoch) await this.sync();
    if (this.keyFor(epoch)) return;
    if (this.#o.team.isTeam) {
      const commit = this.#commits.get(epoch) ?? (this.#keyring.head?.epoch === epoch ? this.#keyring.head : undefined);
      if (commit && commit.teamWrap === "") throw new EncryptionUnavailableError("no_team_wrap", `epoch ${epoch}`);
      if (!this.#o.team.boxKey) await this.#o.team.load().catch(() => undefined);
      if (!this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      await this.#openLate(epoch);
      if (this.keyFor(epoch)) return;
    }
    if (this.#o.restore && epoch <= this.#keyring.epoch) {
      await this.#o.restore(this);
      if (this.keyFor(epoch)) return;
    }
    // Whether the principal was in that epoch at all (if not, it joined later and no history was shared).
    const memberThen = this.#o.team.isTeam ? undefined : await this.#memberThen(epoch);
    throw new EncryptionUnavailableError(
      "not_in_epoch",
      `epoch ${epoch}`,
      memberThen === undefined ? undefined : { memberThen },
    );
  }

  // -- internals ------------------------------------------------------------------------

  /**
   * Whether this principal is listed in the commit of `epoch`: from the verified commit when this
   * device applied it in this session, else from the gateway's copy (only to choose which
   * explanation to show, so the gateway's word is enough). Undefined when it cannot be told.
   */
  async #memberThen(epoch: number): Promise<boolean | undefined> {
    const known = this.listsPrincipalAt(epoch);
    if (known !== undefined) return known;
    let pending = this.#listedAt.get(epoch);
    if (!pending) {
      pending = this.#o
        .request("epoch.list", { convId: this.convId, after: epoch - 1, limit: 1 })
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

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(work);
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /** The first sync of the session (again after a failure). */
  #readyOnce(): Promise<void> {
    this.#ready ??= this.sync().catch((err: unknown) => {
      this.#ready = undefined;
      throw err;
    });
    return this.#ready;
  }

  #context(): ApplyContext {
    const teamKey = this.#o.team.boxKey;
    return { teamSigPk: (version) => this.#teamSigPks.get(version), ...(teamKey ? { teamKey } : {}) };
  }

  /** Verifies and remembers the team key record of `version`; false when there is none that verifies. */
  async #learnTeamVersion(version: number): Promise<boolean> {
    if (this.#teamSigPks.has(version)) return true;
    if (!this.#shopId) await this.#desiredMembers();
    const record = this.#shopId ? await this.#o.team.recordVersion(this.#shopId, version) : undefined;
    if (!record) return false;
    this.#teamSigPks.set(version, fromBase64Url(record.sigPk));
    return true;
  }

  /** Applies commits, learning unknown committers' devices and the team's principals on the way (bounded). */
  async #apply(commits: readonly EpochCommit[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#keyring.apply(commits, this.#context());
        for (const c of commits) {
          if (c.epoch > this.#keyring.epoch) continue;
          this.#commits.set(c.epoch, c);
          // Verified under a pinned team key: the committer is on the shop's team.
          if (c.teamVersion > 0) this.#team.add(c.committer.principalId);
        }
        return;
      } catch (err) {
        if (!(err instanceof CommitError) || attempt >= MAX_APPLY_RETRIES) throw err;
        const failed = commits.find((c) => c.epoch === this.#keyring.epoch + 1);
        if (!failed) throw err;
        if (err.reason === "unknown_committer") {
          const principalId = failed.committer.principalId;
          const { devices } = await this.#o.request("device.list", { principalIds: [principalId] });
          await this.#o.directory.learn(devices, { complete: [principalId] });
        } else if (err.reason === "not_a_member") {
          // A team commit signed with a team key version this device has not verified yet.
          if (failed.teamVersion === 0 || this.#teamSigPks.has(failed.teamVersion)) throw err;
          if (!(await this.#learnTeamVersion(failed.teamVersion))) throw err;
        } else {
          throw err;
        }
      }
    }
  }

  /** The members the next epoch is for, with their pinned devices; records the team's principals. */
  async #desiredMembers(): Promise<Members> {
    const { conversation, members } = await this.#o.request("conv.get", { convId: this.convId });
    this.#shopId = conversation.shopId;
    const listed: string[] = [];
    for (const m of members) {
      if (m.role === "agent" || m.role === "bot") this.#listedTeam.add(m.principalId);
      else listed.push(m.principalId);
    }
    if (listed.length > 0) {
      const { devices } = await this.#o.request("device.list", { principalIds: listed });
      await this.#o.directory.learn(devices, { complete: listed });
    }
    return listed.map((principalId) => ({ principalId, devices: this.#o.directory.devicesOf(principalId) }));
  }

  async #commit(
    reason: CommitReason,
    options: { skipIfMembersMatch: boolean; historyPolicy?: HistoryPolicy },
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.sync();
      const head = this.#keyring.head;
      const members = await this.#desiredMembers();
      if (head && options.skipIfMembersMatch && sameMembers(head, members)) {
        this.#membersDirty = false;
        return; // someone else committed this change already
      }
      const me = this.#o.principal.id;
      if (head && !head.members.some((m) => m.principalId === me) && !this.#o.team.isTeam) {
        throw new EncryptionUnavailableError("not_a_member");
      }
      if (this.#o.team.isTeam && !this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      const teamRecord = this.#shopId ? await this.#o.team.publicKey(this.#shopId, attempt > 0) : undefined;

      // The team is never a listed member: its commits carry the team key's signature instead.
      const teamSigner = this.#o.team.isTeam ? await this.#o.team.signer() : undefined;
      if (this.#o.team.isTeam && !teamSigner) throw new EncryptionUnavailableError("no_team_key");
      if (teamSigner && !(await this.#learnTeamVersion(teamSigner.version))) {
        throw new EncryptionUnavailableError("no_team_key", `team key ${teamSigner.version} does not verify`);
      }
      const { commit, epochKey } = await buildCommit({
        identity: this.#o.identity,
        principalId: me,
        convId: this.convId,
        prev: head,
        members,
        ...(teamRecord ? { teamBoxPk: fromBase64Url(teamRecord.boxPk) } : {}),
        historyPolicy: options.historyPolicy ?? head?.historyPolicy ?? "none",
        reason,
        ...(teamSigner ? { teamSigner } : {}),
      });
      try {
        await this.#o.request("epoch.commit", { commit });
      } catch (err) {
        if (err instanceof ParleyError && err.code === "conflict") continue;
        throw err;
      }
      await this.#apply([commit]);
      if (!this.keyFor(commit.epoch)) this.#extraKeys.set(commit.epoch, epochKey);
      this.#membersDirty = false;
      return;
    }
    throw new EncryptionUnavailableError("commit_conflict");
  }

  /** Agents: opens the team wrap of an applied commit whose key the keyring lacks (the team key came later). */
  async #openLate(epoch: number): Promise<void> {
    const teamKey = this.#o.team.boxKey;
    const commit = this.#commits.get(epoch) ?? (this.#keyring.head?.epoch === epoch ? this.#keyring.head : undefined);
    if (!teamKey || !commit || commit.teamWrap === "" || this.keyFor(epoch)) return;
    const key = await openCommitKey(commit, this.#o.identity, teamKey);
    if (key) this.#extraKeys.set(epoch, key);
  }
}

/** Whether the head lists exactly these principals with exactly these devices. */
function sameMembers(head: EpochCommit, members: Members): boolean {
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
