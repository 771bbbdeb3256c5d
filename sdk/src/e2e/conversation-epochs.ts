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
 */
import { fromBase64Url } from "../base64url.js";
import { buildCommit, CommitError, openCommitKey } from "../crypto/commits.js";
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { DeviceIdentity } from "../crypto/device-keys.js";
import type { ApplyContext, EpochKeyring } from "../crypto/keyring.js";
import { EncryptionUnavailableError, ParleyError } from "../errors.js";
import type { CommitReason, EpochCommit, HistoryPolicy, PrincipalInfo } from "../protocol/models.js";
import { applyCommits } from "./apply-commits.js";
import { ConversationKeys } from "./conversation-keys.js";
import { EpochMembers, type Members, reasonFor, sameMembers } from "./epoch-members.js";
import { fetchOlderCommits, signedByPinned } from "./older-commits.js";
import type { Rpc } from "./rpc.js";
import type { TeamKeyHolder } from "./team-key-holder.js";

/** Commit attempts before giving up on a moving chain. */
const MAX_COMMIT_ATTEMPTS = 5;

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
  /** A commit that does not verify was skipped (reported, the conversation goes on). */
  onError?: (error: Error) => void;
}

export class ConversationEpochs extends ConversationKeys {
  readonly convId: string;
  readonly #o: ConversationEpochsOptions;
  readonly #members: EpochMembers;
  /** Ed25519 public keys of the team key versions this device verified: they vouch for team commits. */
  readonly #teamSigPks = new Map<number, Uint8Array>();
  /** Principals of the shop's team seen in this conversation (may commit without being listed). */
  readonly #team = new Set<string>();
  /** Set by `stale_epoch`: the next send asks whether the team key rotated. */
  #teamRecheck = false;
  /** Epochs whose commit failed verification and was skipped in this session: never trusted, not even by hash. */
  readonly #skipped = new Set<number>();
  /** Whether the member set may differ from the head's; checked before the next send. */
  #membersDirty = true;
  #syncing: Promise<void> | undefined;
  #ready: Promise<void> | undefined;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(options: ConversationEpochsOptions) {
    super(options.keyring, options.principal.id);
    this.#o = options;
    this.convId = options.convId;
    this.#members = new EpochMembers(options);
    if (options.team.isTeam) this.#team.add(options.principal.id);
  }

  get epoch(): number {
    return this.keyring.epoch;
  }

  get head(): EpochCommit | undefined {
    return this.keyring.head;
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

  /**
   * The commit that added `principalId`: the newest one listing it whose
   * predecessor did not. Syncs, and fetches the older commits this session
   * lacks ({@link loadChain}); undefined when the head does not list it or
   * the gateway withholds the commits that would tell.
   */
  async commitAdding(principalId: string): Promise<EpochCommit | undefined> {
    await this.loadChain();
    return this.addingCommit(principalId);
  }

  /**
   * Syncs, then makes sure this session holds the verified commits from
   * `lowest` up to the head: the ones missing are fetched and kept when they
   * hash-chain back from those it holds (`older-commits.ts`).
   */
  async loadChain(lowest = 1): Promise<void> {
    await this.sync();
    let oldest = this.keyring.head;
    while (oldest && oldest.epoch > lowest) {
      const before = this.commitAt(oldest.epoch - 1);
      if (!before) break;
      oldest = before;
    }
    if (!oldest || oldest.epoch <= lowest) return;
    const signedBy = signedByPinned(this.#o.request, this.#o.directory, this.#skipped);
    for (const c of await fetchOlderCommits(this.#o.request, this.convId, oldest, lowest, signedBy)) {
      this.commits.set(c.epoch, c);
    }
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
    if (this.#team.has(principalId) || this.#members.listedTeam.has(principalId)) return true;
    await this.#members.desired();
    return this.#members.listedTeam.has(principalId);
  }

  /**
   * Commits the new history policy (reason "policy") unless the head already
   * has it. The policy no longer decides history grants (each invite's choice
   * does, ADR 0025); the field stays in the signed commit format.
   */
  setHistoryPolicy(policy: HistoryPolicy): Promise<void> {
    return this.#exclusive(async () => {
      await this.#readyOnce();
      const head = this.keyring.head;
      if (!head) throw new EncryptionUnavailableError("not_in_epoch", "the conversation has no epoch yet");
      if (head.historyPolicy === policy) return;
      await this.#commit("policy", { skipIfMembersMatch: false, historyPolicy: policy });
    });
  }

  noteMessage(epoch: number): Promise<void> {
    return this.keyring.noteMessage(epoch);
  }

  /**
   * After `stale_epoch`: the next send also asks for the shop's current team key (it may have rotated,
   * and the head's key is sealed to the old one), then syncs.
   */
  syncAfterStale(): Promise<void> {
    this.#teamRecheck = true;
    return this.sync();
  }

  /** Fetches and applies every commit after the head. Single-flight. */
  sync(): Promise<void> {
    this.#syncing ??= (async () => {
      for (;;) {
        const before = this.keyring.epoch;
        const page = await this.#o.request("epoch.list", { convId: this.convId, after: before });
        if (page.commits.length > 0) await this.#apply(page.commits);
        // A page that moved nothing ends the sync, whatever `hasMore` says (a lying gateway cannot keep us asking).
        if (!page.hasMore || page.commits.length === 0 || this.keyring.epoch === before) return;
      }
    })().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  /** A live commit event: applied when it follows the head, otherwise the gap is fetched. */
  async onCommit(commit: EpochCommit): Promise<void> {
    if (commit.epoch === this.keyring.epoch + 1) {
      try {
        await this.#apply([commit]);
        return;
      } catch (err) {
        if (!(err instanceof CommitError) || err.reason !== "bad_chain") throw err;
      }
    }
    if (commit.epoch > this.keyring.epoch) await this.sync();
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
      if (!this.keyring.head) return; // nothing to add to yet: the first send creates the chain
      await this.#commit(event.change === "joined" ? "add" : "remove", { skipIfMembersMatch: true });
    });
  }

  /** A customer's new conversation: epoch 1 with the customer's devices and the shop's team key. */
  create(shopId: string): Promise<void> {
    this.#members.shopId = shopId;
    return this.#exclusive(async () => {
      await this.#readyOnce();
      if (!this.keyring.head) await this.#commit("create", { skipIfMembersMatch: true });
    });
  }

  /**
   * Before a send: commits first when the rotation rule asks for it, then makes sure this device holds the
   * head's key. For a live signal (`signal`) the epoch's age and message count never ask for a commit; a
   * missing epoch or key and a changed member set still do (nothing is sealed to a removed member's key).
   */
  prepareSend(signal = false): Promise<void> {
    return this.#exclusive(async () => {
      await this.#readyOnce();
      let desired: Members | undefined;
      let memberSetChanged = false;
      const head = this.keyring.head;
      if (head && this.#membersDirty) {
        desired = await this.#members.desired();
        memberSetChanged = !sameMembers(head, desired);
        if (!memberSetChanged) this.#membersDirty = false;
      }
      let trigger = this.keyring.needsRotation({ now: Date.now(), memberSetChanged });
      if (signal && (trigger === "age" || trigger === "messages")) trigger = undefined;
      if (trigger === "no_key" && this.#o.team.isTeam) {
        if (!this.#o.team.boxKey) await this.#o.team.load().catch(() => undefined);
        await this.#openLate(this.keyring.epoch);
        if (this.keyFor(this.keyring.epoch)) return;
        if (!this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      }
      if (!trigger && head && (await this.#teamRotatedPast(head))) trigger = "age";
      if (trigger) {
        const added =
          head && desired ? desired.some((m) => !head.members.some((h) => h.principalId === m.principalId)) : false;
        await this.#commit(reasonFor(trigger, added), { skipIfMembersMatch: false });
      }
      if (!this.keyFor(this.keyring.epoch)) throw new EncryptionUnavailableError("not_in_epoch", `epoch ${this.epoch}`);
    });
  }

  /**
   * Before opening a message of `epoch`: syncs when it is ahead of the head,
   * and on agent devices opens the team wrap. Rejects with
   * {@link EncryptionUnavailableError} when this device cannot hold the key.
   */
  async prepareOpen(epoch: number): Promise<void> {
    if (epoch > this.keyring.epoch) await this.sync();
    // A sync already under way when this message came may have listed the commits before this
    // epoch's existed (a new member loading history while the inviter commits): ask once more.
    if (epoch > this.keyring.epoch) await this.sync();
    if (this.keyFor(epoch)) return;
    if (this.#o.team.isTeam) {
      const commit = this.commitAt(epoch);
      if (commit && commit.teamWrap === "") throw new EncryptionUnavailableError("no_team_wrap", `epoch ${epoch}`);
      if (!this.#o.team.boxKey) await this.#o.team.load().catch(() => undefined);
      if (!this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      await this.#openLate(epoch);
      if (this.keyFor(epoch)) return;
    }
    if (this.#o.restore && epoch <= this.keyring.epoch) {
      await this.#o.restore(this);
      if (this.keyFor(epoch)) return;
    }
    // Whether the principal was in that epoch at all (if not, it joined later and no history was shared).
    const memberThen = this.#o.team.isTeam
      ? undefined
      : await this.#members.listedAt(epoch, this.listsPrincipalAt(epoch));
    throw new EncryptionUnavailableError(
      "not_in_epoch",
      `epoch ${epoch}`,
      memberThen === undefined ? undefined : { memberThen },
    );
  }

  // -- internals ------------------------------------------------------------------------

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
    const teamKeys = this.#o.team.boxKeys;
    return {
      teamSigPk: (version) => this.#teamSigPks.get(version),
      ...(teamKeys.length > 0 ? { teamKey: teamKeys } : {}),
    };
  }

  /**
   * Whether the shop's team key rotated past the version `head`'s team wrap is sealed to (format-1
   * commits predate rotation: version 1). Then the removed login's devices could open the head's key, and
   * a new epoch is committed before sending. Asks the gateway again only after `stale_epoch`.
   */
  async #teamRotatedPast(head: EpochCommit): Promise<boolean> {
    if (head.teamWrap === "") return false;
    if (!this.#members.shopId) await this.#members.desired();
    const shopId = this.#members.shopId;
    if (!shopId) return false;
    const refresh = this.#teamRecheck;
    this.#teamRecheck = false;
    const record = await this.#o.team.publicKey(shopId, refresh);
    return record !== undefined && (head.teamWrapVersion ?? 1) < record.version;
  }

  /** Verifies and remembers the team key record of `version`; false when there is none that verifies. */
  async #learnTeamVersion(version: number): Promise<boolean> {
    if (this.#teamSigPks.has(version)) return true;
    if (!this.#members.shopId) await this.#members.desired();
    const record = this.#members.shopId ? await this.#o.team.recordVersion(this.#members.shopId, version) : undefined;
    if (!record) return false;
    this.#teamSigPks.set(version, fromBase64Url(record.sigPk));
    return true;
  }

  /** Applies commits (apply-commits.ts): learns what they need on the way, skips those that do not verify. */
  #apply(commits: readonly EpochCommit[]): Promise<void> {
    return applyCommits(commits, {
      keyring: this.keyring,
      convId: this.convId,
      skipped: this.#skipped,
      context: () => this.#context(),
      learn: {
        request: this.#o.request,
        directory: this.#o.directory,
        knowsTeamVersion: (version) => this.#teamSigPks.has(version),
        learnTeamVersion: (version) => this.#learnTeamVersion(version),
      },
      applied: (c) => {
        this.commits.set(c.epoch, c);
        // Verified under a pinned team key: the committer is on the shop's team.
        if (c.teamVersion > 0) this.#team.add(c.committer.principalId);
      },
      ...(this.#o.onError ? { onError: this.#o.onError } : {}),
    });
  }

  async #commit(
    reason: CommitReason,
    options: { skipIfMembersMatch: boolean; historyPolicy?: HistoryPolicy },
  ): Promise<void> {
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      if (attempt > 0) await this.sync();
      const head = this.keyring.head;
      // What the commit follows: the head, or a commit after it that was skipped as invalid.
      const tip = this.keyring.tip;
      const members = await this.#members.desired();
      if (head && tip === head && options.skipIfMembersMatch && sameMembers(head, members)) {
        this.#membersDirty = false;
        return; // someone else committed this change already
      }
      const me = this.#o.principal.id;
      if (head && !head.members.some((m) => m.principalId === me) && !this.#o.team.isTeam) {
        throw new EncryptionUnavailableError("not_a_member");
      }
      if (this.#o.team.isTeam && !this.#o.team.boxKey) throw new EncryptionUnavailableError("no_team_key");
      const teamRecord = this.#members.shopId
        ? await this.#o.team.publicKey(this.#members.shopId, attempt > 0)
        : undefined;

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
        prev: tip,
        members,
        ...(teamRecord ? { teamBoxPk: fromBase64Url(teamRecord.boxPk), teamWrapVersion: teamRecord.version } : {}),
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
      if (!this.keyFor(commit.epoch)) this.extraKeys.set(commit.epoch, epochKey);
      this.#membersDirty = false;
      return;
    }
    throw new EncryptionUnavailableError("commit_conflict");
  }

  /** Agents: opens the team wrap of an applied commit whose key the keyring lacks (the team key came later). */
  async #openLate(epoch: number): Promise<void> {
    const teamKeys = this.#o.team.boxKeys;
    const commit = this.commitAt(epoch);
    if (teamKeys.length === 0 || !commit || commit.teamWrap === "" || this.keyFor(epoch)) return;
    const key = await openCommitKey(commit, this.#o.identity, teamKeys);
    if (key) this.extraKeys.set(epoch, key);
  }
}
