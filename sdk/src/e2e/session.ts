/**
 * End-to-end encryption for one signed-in client: this device's identity
 * (registered with the gateway at start), the pinned devices of everyone it
 * talks to, the shop team's key, and one {@link ConversationEpochs} per
 * conversation. The client seals and opens through it and forwards its server
 * events here. It also makes and takes history grants: the keys of earlier
 * epochs an inviter seals to the member it invited, as far as that member's
 * invite offered history (`none`, `7d`, `all`; history-grants.ts). Given the
 * customer's key backup secret, it also keeps the principal's key backup
 * (ADR 0016), so the customer's next device reads the same history.
 */
import { fromBase64Url } from "../base64url.js";
import { DeviceDirectory, type DeviceSetChange } from "../crypto/device-directory.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity, signDeviceRecord } from "../crypto/device-keys.js";
import { createE2ECodec } from "../crypto/e2e-codec.js";
import type { HistoryGrantBody } from "../crypto/history-grant.js";
import { EpochKeyring } from "../crypto/keyring.js";
import { DecryptError, E2E_ALG, openMessage, sealMessage } from "../crypto/message-crypto.js";
import { EncryptionUnavailableError } from "../errors.js";
import {
  ENVELOPE_VERSION,
  type Envelope,
  type EnvelopeHeader,
  type StoredMessage,
  type StoredNote,
} from "../protocol/envelope.js";
import type { MessageBody } from "../protocol/message-body.js";
import type { ConversationInfo, HistoryPolicy, PrincipalInfo } from "../protocol/models.js";
import type { ServerEvent } from "../protocol/rpc.js";
import { retryRateLimited } from "../rate-limit-retry.js";
import type { KeyValueStorage } from "../storage.js";
import { ConversationEpochs } from "./conversation-epochs.js";
import type { GrantContext } from "./history-grants.js";
import { type KeptKeysContext, loadGrants, loadRestored, saveGrants, saveRestored } from "./kept-keys.js";
import { KeyBackup } from "./key-backup.js";
import type { Rpc } from "./rpc.js";
import { TeamKeyHolder } from "./team-key-holder.js";

/**
 * The history-grant rules, loaded the first time a grant is made or taken: most sessions never
 * see one, so the chat frame's first load leaves them out (docs/widget.md, size budgets).
 */
const grants = () => import("./history-grants.js");

export interface E2ESessionOptions {
  request: Rpc;
  storage: KeyValueStorage;
  principal: PrincipalInfo;
  /** A member's device set changed (forwarded as the client's `devices-changed` event). */
  onDevicesChanged: (changes: DeviceSetChange[]) => void;
  /** A background step failed (forwarded as the client's `error` event). */
  onError: (error: Error) => void;
  /** A history grant gave this device keys it lacked: messages that failed to open may open now. */
  onGrant?: (convId: string) => void;
  /**
   * Customers: the key backup secret from the shop's backend (`v<n>.<base64url>`).
   * Absent, or not in that form (reported through `onError`), there is no key backup.
   */
  keyBackupSecret?: string;
}

/** The body of a live signal. */
export type LiveBody = Extract<MessageBody, { type: "live" }>;

/** A message opened end to end: `sharedBy` granted its epoch's key to this device; `fromTeam`: a valid team vouch. */
export interface OpenedMessage {
  body: MessageBody;
  sharedBy?: string;
  fromTeam?: true;
}

export class E2ESession {
  readonly identity: DeviceIdentity;
  readonly directory: DeviceDirectory;
  readonly team: TeamKeyHolder;
  readonly #o: E2ESessionOptions;
  readonly #conversations = new Map<string, Promise<ConversationEpochs>>();
  /** The conversations already opened, for the codec's synchronous lookups. */
  readonly #opened = new Map<string, ConversationEpochs>();
  readonly #codec: ReturnType<typeof createE2ECodec>;
  readonly #unsubscribe: () => void;
  #backup: KeyBackup | undefined;

  private constructor(options: E2ESessionOptions, identity: DeviceIdentity, directory: DeviceDirectory) {
    this.#o = options;
    this.identity = identity;
    this.directory = directory;
    this.team = new TeamKeyHolder({
      request: options.request,
      storage: options.storage,
      identity,
      principal: options.principal,
      directory,
    });
    this.#unsubscribe = directory.onChange(options.onDevicesChanged);
    this.#codec = createE2ECodec({
      identity,
      epochKeys: (convId, epoch) => this.#opened.get(convId)?.keyFor(epoch),
      currentEpoch: (convId) => this.#opened.get(convId)?.epoch ?? 0,
      senderKey: (_convId, senderDevice) => {
        const record = directory.findDevice(senderDevice);
        return record ? fromBase64Url(record.sigPk) : undefined;
      },
      teamSigner: () => this.team.signer(),
    });
  }

  /**
   * Loads (or makes) this device's identity, registers its signed record,
   * pins this principal's own devices and, on team devices, gets the team key.
   */
  static async open(options: E2ESessionOptions): Promise<E2ESession> {
    const { storage, principal, request } = options;
    const identity = await loadOrCreateDeviceIdentity(storage, `parley:device:${principal.id}`);
    const own = await signDeviceRecord(identity, principal.id);
    // Under the gateway's device.register quota: a short wait is waited out; a long one fails connect
    // with `rate_limited` (retryable, with retryAfter) rather than trying again and again.
    await retryRateLimited(() => request("device.register", { record: own }));
    const directory = await DeviceDirectory.open({ storage, storageKey: `parley:devices:${principal.id}` });
    // This device is pinned from its own keys, never from the gateway's answer: other keys offered
    // under its id are then reported as a key change and never adopted.
    await directory.learn([own]);
    const session = new E2ESession(options, identity, directory);
    const { devices } = await request("device.list", { principalIds: [principal.id] });
    await directory.learn(devices, { complete: [principal.id] });
    // A team device without its key can still send and receive once it arrives; report, do not fail the session.
    await session.team.load().catch((err: Error) => options.onError(err));
    if (options.keyBackupSecret !== undefined && principal.kind === "customer") {
      session.#backup = await KeyBackup.open(
        { request, principal, onError: options.onError },
        options.keyBackupSecret,
      ).catch((err: Error) => {
        options.onError(new Error(`no key backup: ${err.message}`, { cause: err }));
        return undefined;
      });
    }
    return session;
  }

  /** Whether this session keeps (and restores from) the principal's key backup. */
  get keyBackup(): boolean {
    return this.#backup !== undefined;
  }

  close(): void {
    this.#unsubscribe();
  }

  /** The conversation's epoch state, opened from storage on first use. */
  conversation(convId: string): Promise<ConversationEpochs> {
    let pending = this.#conversations.get(convId);
    if (!pending) {
      pending = EpochKeyring.open({
        storage: this.#o.storage,
        convId,
        identity: this.identity,
        directory: this.directory,
        storageKeyPrefix: `parley:epochs:${this.#o.principal.id}:`,
      }).then(async (keyring) => {
        const conv = new ConversationEpochs({
          convId,
          request: this.#o.request,
          identity: this.identity,
          principal: this.#o.principal,
          directory: this.directory,
          team: this.team,
          keyring,
          ...(this.#backup ? { restore: (c: ConversationEpochs) => this.#restore(c) } : {}),
          onError: this.#o.onError,
        });
        await loadGrants(this.#kept(), conv);
        await loadRestored(this.#kept(), conv);
        this.#opened.set(convId, conv);
        this.#backUp(conv);
        return conv;
      });
      this.#conversations.set(convId, pending);
      pending.catch(() => this.#conversations.delete(convId));
    }
    return pending;
  }

  /** A customer opened `conversation`: commits epoch 1. */
  async created(conversation: ConversationInfo): Promise<void> {
    const conv = await this.conversation(conversation.id);
    await conv.create(conversation.shopId);
    this.#backUp(conv);
  }

  /**
   * Seals under the head epoch, committing first when the rotation rule says so; `vouched` when the
   * plaintext carries a team vouch (team devices holding the key).
   */
  async seal(header: EnvelopeHeader, body: MessageBody): Promise<{ envelope: Envelope; vouched: boolean }> {
    const conv = await this.conversation(header.convId);
    await conv.prepareSend();
    const sealed = await this.#codec.sealVouched(header, body);
    await conv.noteMessage(sealed.envelope.epoch);
    this.#backUp(conv);
    return sealed;
  }

  /**
   * Seals a live signal as {@link seal} seals a message (head epoch, this device's signature, a team vouch
   * on team devices holding the key), but it never counts toward the epoch's rotation: it commits first only
   * when there is no usable epoch yet or the member set changed.
   */
  async sealSignal(header: EnvelopeHeader, body: LiveBody): Promise<Envelope> {
    const conv = await this.conversation(header.convId);
    await conv.prepareSend(true);
    const { envelope } = await this.#codec.sealVouched(header, body);
    this.#backUp(conv);
    return envelope;
  }

  /**
   * Verifies and opens a live signal relayed for `sender` (its device pinned for that principal, fetched on
   * first sight). Only a `live` body is taken: a message envelope relayed as a signal is a `DecryptError`
   * (`bad_body`). Not counted toward the epoch's rotation.
   */
  async openSignal(sender: string, envelope: Envelope): Promise<{ body: LiveBody; fromTeam: boolean }> {
    if (envelope.alg !== E2E_ALG) throw new DecryptError("bad_header");
    const conv = await this.conversation(envelope.convId);
    await conv.prepareOpen(envelope.epoch);
    await this.#pin(sender, envelope.senderDevice);
    const { body, vouch } = await this.#codec.openVouched(envelope);
    if (body.type !== "live") throw new DecryptError("bad_body");
    const target = { convId: envelope.convId, msgId: envelope.msgId, body };
    const fromTeam = vouch !== undefined && (await this.team.vouchHolds(target, vouch, this.#o.onError));
    return { body, fromTeam };
  }

  /** Fetches `principalId`'s devices when `deviceId` is not pinned for it; `unknown_device` when it still is not. */
  async #pin(principalId: string, deviceId: string): Promise<void> {
    if (!this.directory.get(principalId, deviceId)) {
      const { devices } = await this.#o.request("device.list", { principalIds: [principalId] });
      await this.directory.learn(devices, { complete: [principalId] });
    }
    if (!this.directory.get(principalId, deviceId)) throw new DecryptError("unknown_device");
  }

  /** Verifies and decrypts a stored message; rejects with a `DecryptError` or an `EncryptionUnavailableError`. */
  async open(message: StoredMessage): Promise<MessageBody> {
    return (await this.openMessage(message)).body;
  }

  /**
   * As {@link open}, and says who shared the key when this device reads the
   * message through a history grant. A grant addressed to this principal is
   * taken on the way (a refused grant is reported, the message still opens).
   */
  async openMessage(message: StoredMessage): Promise<OpenedMessage> {
    const { envelope } = message;
    if (envelope.alg !== E2E_ALG) throw new DecryptError("bad_header");
    // Shown only where it was signed for: its conversation and message id (the seq: message-decoder.ts).
    if (envelope.convId !== message.convId || envelope.msgId !== message.msgId) throw new DecryptError("misplaced");
    const conv = await this.conversation(message.convId);
    await conv.prepareOpen(envelope.epoch);
    // The signing device must be pinned for the principal the gateway says sent it.
    await this.#pin(message.sender, envelope.senderDevice);
    const { body, vouch } = await this.#codec.openVouched(envelope);
    const target = { convId: envelope.convId, msgId: envelope.msgId, body };
    // An invalid vouch (forged, replayed from another message, damaged) leaves the message as any other's.
    const fromTeam = vouch !== undefined && (await this.team.vouchHolds(target, vouch, this.#o.onError));
    // This device's own messages were counted when sealed.
    if (envelope.senderDevice !== this.identity.deviceId) await conv.noteMessage(envelope.epoch);
    if (body.type === "history-grant" && body.grantee === this.#o.principal.id && message.sender !== body.grantee) {
      await this.#takeGrant(conv, message, body).catch((err: Error) => this.#o.onError(err));
    }
    this.#backUp(conv);
    const sharedBy = conv.grantedBy(envelope.epoch);
    return { body, ...(sharedBy ? { sharedBy } : {}), ...(fromTeam ? { fromTeam } : {}) };
  }

  /**
   * The grant the inviter sends after committing the epoch that added
   * `grantee`: the earlier keys this device holds that the grantee's accepted
   * invite allows (`none`, `7d`, `all`; see history-grants.ts), sealed to the
   * grantee's devices. Undefined when there is nothing to send.
   */
  async historyGrant(convId: string, grantee: string): Promise<HistoryGrantBody | undefined> {
    const conv = await this.conversation(convId);
    return (await grants()).makeGrant(this.#grantContext(), conv, grantee);
  }

  /** Team devices: seals an internal note under the team's notes key. */
  async sealNote(convId: string, noteId: string, text: string): Promise<Envelope> {
    if (!this.team.isTeam)
      throw new EncryptionUnavailableError("no_team_key", "internal notes are for the shop's team");
    if (!this.team.boxKey) await this.team.load().catch(() => undefined);
    const notes = await this.team.notesKey();
    if (!notes) throw new EncryptionUnavailableError("no_team_key");
    const header: EnvelopeHeader = {
      v: ENVELOPE_VERSION,
      convId,
      epoch: notes.version,
      msgId: noteId,
      senderDevice: this.identity.deviceId,
      ts: Date.now(),
    };
    return sealMessage({
      header,
      body: { type: "text", text },
      epochKey: notes.key,
      signer: this.identity.sign.secretKey,
    });
  }

  /** Team devices: verifies and opens a stored note (the author's device must be pinned for the author). */
  async openNote(note: StoredNote): Promise<string> {
    const { envelope } = note;
    if (envelope.convId !== note.convId || envelope.msgId !== note.id) throw new DecryptError("bad_header");
    if (!this.team.boxKey) await this.team.load().catch(() => undefined);
    // A note sealed before a rotation opens with the key of its version, when this device holds it.
    const key = await this.team.notesKeyFor(envelope.epoch);
    if (!key) throw new EncryptionUnavailableError("no_team_key", `team key ${envelope.epoch}`);
    await this.#pin(note.author, envelope.senderDevice);
    const device = this.directory.get(note.author, envelope.senderDevice);
    if (!device) throw new DecryptError("unknown_device");
    const body = await openMessage({ envelope, epochKey: key, senderSigPk: fromBase64Url(device.sigPk) });
    if (body.type !== "text") throw new DecryptError("bad_body");
    return body.text;
  }

  /**
   * Commits a new history policy for the conversation.
   * @deprecated The policy no longer decides history grants: each invite's
   * history choice does (ADR 0025). The field stays in the signed commits.
   */
  async setHistoryPolicy(convId: string, policy: HistoryPolicy): Promise<void> {
    await (await this.conversation(convId)).setHistoryPolicy(policy);
  }

  /** Takes a grant addressed to this principal (history-grants.ts decides which keys), then keeps its keys. */
  async #takeGrant(conv: ConversationEpochs, message: StoredMessage, body: HistoryGrantBody): Promise<void> {
    if ((await (await grants()).takeGrant(this.#grantContext(), conv, message, body)) === 0) return;
    await saveGrants(this.#kept(), conv);
    this.#o.onGrant?.(conv.convId);
  }

  #grantContext(): GrantContext {
    const { request, principal } = this.#o;
    return { request, identity: this.identity, principalId: principal.id, directory: this.directory };
  }

  /** Puts what `conv` holds into the key backup, in the background. */
  #backUp(conv: ConversationEpochs): void {
    void this.#backup?.save(conv);
  }

  async #restore(conv: ConversationEpochs): Promise<void> {
    if (!this.#backup) return;
    if ((await this.#backup.restore(conv)) > 0) await saveRestored(this.#kept(), conv);
  }

  /** Where this principal's restored and granted keys are kept (kept-keys.ts). */
  #kept(): KeptKeysContext {
    return { storage: this.#o.storage, principalId: this.#o.principal.id, onError: this.#o.onError };
  }

  /** Fetches and applies the conversation's new commits (after `stale_epoch`). */
  async sync(convId: string): Promise<void> {
    await (await this.conversation(convId)).syncAfterStale();
  }

  /** Server events that move keys: commits, membership changes, the team key. */
  async onEvent(event: ServerEvent): Promise<void> {
    switch (event.type) {
      case "commit": {
        const conv = await this.conversation(event.commit.convId);
        await conv.onCommit(event.commit);
        this.#backUp(conv);
        return;
      }
      case "membership": {
        const conv = await this.conversation(event.convId);
        await conv.onMembership(event);
        this.#backUp(conv);
        return;
      }
      case "team":
        if (event.shopId === this.#o.principal.shopId) await this.team.onTeamEvent(event.change, event.deviceId);
        return;
      default:
        return;
    }
  }
}
