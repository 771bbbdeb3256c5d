/**
 * For the history-grant tests: a customer's own end-to-end device, held by the
 * test (its identity read from the storage the customer's client uses). It
 * commits epochs with signed times the test chooses (a real client stamps its
 * commits with the clock of now, so a conversation 20 days old can only be
 * made this way), says lines in them, and can send a grant of its own making.
 * Its requests go through `via`: the customer's client, or a plaintext twin of
 * it when the test wants no end-to-end client of that customer to act.
 */
import type { KeyValueStorage, ParleyClient } from "@parley/sdk";
import {
  buildCommit,
  type DeviceIdentity,
  loadOrCreateDeviceIdentity,
  loadSodium,
  openMessage,
  randomBytes,
  sealMessage,
} from "@parley/sdk/crypto";
import { fromBase64Url, toBase64Url } from "@parley/sdk/internal";
import {
  type CommitReason,
  type DeviceRecord,
  ENVELOPE_VERSION,
  type EpochCommit,
  type StoredMessage,
} from "@parley/sdk/protocol";

export class HeldDevice {
  /** The epoch keys of the commits this device made, by epoch. */
  readonly keys = new Map<number, Uint8Array>();
  readonly principalId: string;
  readonly identity: DeviceIdentity;
  via: ParleyClient;

  private constructor(principalId: string, identity: DeviceIdentity, via: ParleyClient) {
    this.principalId = principalId;
    this.identity = identity;
    this.via = via;
  }

  /** The device of `client`, whose identity lives in `storage` (the client must have connected once). */
  static async of(client: ParleyClient, storage: KeyValueStorage): Promise<HeldDevice> {
    const id = client.principal.id;
    return new HeldDevice(id, await loadOrCreateDeviceIdentity(storage, `parley:device:${id}`), client);
  }

  async head(convId: string): Promise<EpochCommit | undefined> {
    return (await this.via.request("epoch.list", { convId, after: 0 })).commits.at(-1);
  }

  /** Commits the next epoch for `members` (their registered devices), sealed to the team key, signed at `ts`. */
  async commit(convId: string, reason: CommitReason, ts: number, members: string[]): Promise<EpochCommit> {
    const prev = await this.head(convId);
    const { devices } = await this.via.request("device.list", { principalIds: members });
    const { key } = await this.via.request("team.get", { shopId: this.via.principal.shopId });
    const { commit, epochKey } = await buildCommit({
      identity: this.identity,
      principalId: this.principalId,
      convId,
      prev,
      members: members.map((principalId) => ({
        principalId,
        devices: devices.filter((d: DeviceRecord) => d.principal === principalId),
      })),
      ...(key ? { teamBoxPk: fromBase64Url(key.boxPk) } : {}),
      historyPolicy: prev?.historyPolicy ?? "none",
      reason,
      now: ts,
    });
    await this.via.request("epoch.commit", { commit });
    this.keys.set(commit.epoch, epochKey);
    return commit;
  }

  /** Seals `body` under the key of `epoch` (one this device committed) and sends it. */
  async send(convId: string, epoch: number, body: Parameters<typeof sealMessage>[0]["body"]): Promise<void> {
    const epochKey = this.keys.get(epoch);
    if (!epochKey) throw new Error(`no key of epoch ${epoch}`);
    const envelope = await sealMessage({
      header: {
        v: ENVELOPE_VERSION,
        convId,
        epoch,
        msgId: toBase64Url(randomBytes(16)),
        senderDevice: this.identity.deviceId,
        ts: Date.now(),
      },
      body,
      epochKey,
      signer: this.identity.sign.secretKey,
    });
    await this.via.request("msg.send", { convId, envelope });
  }

  /**
   * A grant of the keys of `epochs` to `grantee`'s devices, sent in `inEpoch`, sealed as the SDK seals
   * one (per device: each epoch as 4 bytes big-endian, then its key).
   */
  async grant(convId: string, grantee: string, epochs: number[], inEpoch: number): Promise<void> {
    const sodium = await loadSodium();
    const plain = new Uint8Array(epochs.length * 36);
    const view = new DataView(plain.buffer);
    epochs.forEach((epoch, i) => {
      view.setUint32(i * 36, epoch);
      plain.set(this.keys.get(epoch) as Uint8Array, i * 36 + 4);
    });
    const { devices } = await this.via.request("device.list", { principalIds: [grantee] });
    const sealed = devices.map((d) => ({
      deviceId: d.deviceId,
      box: toBase64Url(sodium.crypto_box_seal(plain, fromBase64Url(d.boxPk))),
    }));
    await this.send(convId, inEpoch, { type: "history-grant", grantee, epochs, sealed });
  }
}

/**
 * The texts of the stored `messages` that open with `keys` (epoch to key), signed by `sender`'s device:
 * what a holder of exactly those keys can read, whatever the gateway chooses to serve.
 */
export async function readableWith(
  keys: ReadonlyMap<number, Uint8Array>,
  messages: readonly StoredMessage[],
  sender: DeviceIdentity,
): Promise<string[]> {
  const texts: string[] = [];
  for (const m of messages) {
    const epochKey = keys.get(m.envelope.epoch);
    if (!epochKey || m.envelope.senderDevice !== sender.deviceId) continue;
    const body = await openMessage({ envelope: m.envelope, epochKey, senderSigPk: sender.sign.publicKey });
    if (body.type === "text") texts.push(body.text);
  }
  return texts;
}

/** The keys a client's device keeps from history grants for `convId`, by epoch (empty when none). */
export async function grantedKeys(
  storage: KeyValueStorage,
  principalId: string,
  convId: string,
): Promise<Map<number, { key: Uint8Array; by: string }>> {
  const text = await storage.get(`parley:grants:${principalId}:${convId}`);
  const keys = new Map<number, { key: Uint8Array; by: string }>();
  if (!text) return keys;
  const saved = JSON.parse(text) as { keys: Record<string, { key: string; by: string }> };
  for (const [epoch, { key, by }] of Object.entries(saved.keys))
    keys.set(Number(epoch), { key: fromBase64Url(key), by });
  return keys;
}
