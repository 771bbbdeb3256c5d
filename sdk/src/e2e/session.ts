/**
 * End-to-end encryption for one signed-in client: this device's identity
 * (registered with the gateway at start), the pinned devices of everyone it
 * talks to, the shop team's key, and one {@link ConversationEpochs} per
 * conversation. The client seals and opens through it and forwards its server
 * events here.
 */
import { fromBase64Url } from "../base64url.js";
import type { MessageBody } from "../codec.js";
import { DeviceDirectory, type DeviceSetChange } from "../crypto/device-directory.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity, signDeviceRecord } from "../crypto/device-keys.js";
import { createE2ECodec } from "../crypto/e2e-codec.js";
import { EpochKeyring } from "../crypto/keyring.js";
import { DecryptError, E2E_ALG } from "../crypto/message-crypto.js";
import type { Envelope, EnvelopeHeader, StoredMessage } from "../protocol/envelope.js";
import type { ConversationInfo, PrincipalInfo } from "../protocol/models.js";
import type { ServerEvent } from "../protocol/rpc.js";
import type { KeyValueStorage } from "../storage.js";
import { ConversationEpochs } from "./conversation-epochs.js";
import type { Rpc } from "./rpc.js";
import { TeamKeyHolder } from "./team-key-holder.js";

export interface E2ESessionOptions {
  request: Rpc;
  storage: KeyValueStorage;
  principal: PrincipalInfo;
  /** A member's device set changed (forwarded as the client's `devices-changed` event). */
  onDevicesChanged: (changes: DeviceSetChange[]) => void;
  /** A background step failed (forwarded as the client's `error` event). */
  onError: (error: Error) => void;
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
      epochKeys: (convId, epoch) => this.#loaded(convId)?.keyFor(epoch),
      currentEpoch: (convId) => this.#loaded(convId)?.epoch ?? 0,
      senderKey: (_convId, senderDevice) => {
        const record = directory.findDevice(senderDevice);
        return record ? fromBase64Url(record.sigPk) : undefined;
      },
    });
  }

  /**
   * Loads (or makes) this device's identity, registers its signed record,
   * pins this principal's own devices and, on team devices, gets the team key.
   */
  static async open(options: E2ESessionOptions): Promise<E2ESession> {
    const { storage, principal, request } = options;
    const identity = await loadOrCreateDeviceIdentity(storage, `parley:device:${principal.id}`);
    await request("device.register", { record: await signDeviceRecord(identity, principal.id) });
    const directory = await DeviceDirectory.open({ storage, storageKey: `parley:devices:${principal.id}` });
    const session = new E2ESession(options, identity, directory);
    const { devices } = await request("device.list", { principalIds: [principal.id] });
    await directory.learn(devices, { complete: [principal.id] });
    // A team device without its key can still send and receive once it arrives; report, do not fail the session.
    await session.team.load().catch((err: Error) => options.onError(err));
    return session;
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
      }).then((keyring) => {
        const conv = new ConversationEpochs({
          convId,
          request: this.#o.request,
          identity: this.identity,
          principal: this.#o.principal,
          directory: this.directory,
          team: this.team,
          keyring,
        });
        this.#opened.set(convId, conv);
        return conv;
      });
      this.#conversations.set(convId, pending);
      pending.catch(() => this.#conversations.delete(convId));
    }
    return pending;
  }

  /** A customer opened `conversation`: commits epoch 1. */
  async created(conversation: ConversationInfo): Promise<void> {
    await (await this.conversation(conversation.id)).create(conversation.shopId);
  }

  /** Seals under the head epoch, committing first when the rotation rule says so. */
  async seal(header: EnvelopeHeader, body: MessageBody): Promise<Envelope> {
    const conv = await this.conversation(header.convId);
    await conv.prepareSend();
    const envelope = await this.#codec.seal(header, body);
    await conv.noteMessage(envelope.epoch);
    return envelope;
  }

  /** Verifies and decrypts a stored message; rejects with a `DecryptError` or an `EncryptionUnavailableError`. */
  async open(message: StoredMessage): Promise<MessageBody> {
    const { envelope } = message;
    if (envelope.alg !== E2E_ALG) throw new DecryptError("bad_header");
    const conv = await this.conversation(message.convId);
    await conv.prepareOpen(envelope.epoch);
    if (!this.directory.get(message.sender, envelope.senderDevice)) {
      const { devices } = await this.#o.request("device.list", { principalIds: [message.sender] });
      await this.directory.learn(devices, { complete: [message.sender] });
    }
    // The signing device must be pinned for the principal the gateway says sent it.
    if (!this.directory.get(message.sender, envelope.senderDevice)) throw new DecryptError("unknown_device");
    const body = await this.#codec.open(envelope);
    // This device's own messages were counted when sealed.
    if (envelope.senderDevice !== this.identity.deviceId) await conv.noteMessage(envelope.epoch);
    return body;
  }

  /** Fetches and applies the conversation's new commits (after `stale_epoch`). */
  async sync(convId: string): Promise<void> {
    await (await this.conversation(convId)).sync();
  }

  /** Server events that move keys: commits, membership changes, the team key. */
  async onEvent(event: ServerEvent): Promise<void> {
    switch (event.type) {
      case "commit":
        await (await this.conversation(event.commit.convId)).onCommit(event.commit);
        return;
      case "membership":
        await (await this.conversation(event.convId)).onMembership(event);
        return;
      case "team":
        if (event.shopId === this.#o.principal.shopId) await this.team.onTeamEvent(event.change, event.deviceId);
        return;
      default:
        return;
    }
  }

  #loaded(convId: string): ConversationEpochs | undefined {
    return this.#opened.get(convId);
  }
}
