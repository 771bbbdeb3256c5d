/**
 * The end-to-end {@link EnvelopeCodec}: plugs into `ClientOptions.codec` in
 * place of `plainCodec`. Key lookup is injected: the epoch layer (commits,
 * wraps, pinning) supplies epoch keys and senders' signing keys through these
 * callbacks, and this codec only seals and opens.
 */
import type { EnvelopeCodec } from "../codec.js";
import { headerProblem } from "./canonical.js";
import type { DeviceIdentity } from "./device-keys.js";
import { DecryptError, E2E_ALG, openMessage, SealError, sealMessage } from "./message-crypto.js";

/** What {@link createE2ECodec} needs: this device and the key lookups of the epoch layer. */
export interface E2ECodecOptions {
  /** This device: signs what it seals; its `deviceId` must be the header's `senderDevice`. */
  identity: DeviceIdentity;
  /** The 32-byte key of a conversation's epoch, or undefined when this device does not hold it. */
  epochKeys: (convId: string, epoch: number) => Uint8Array | undefined;
  /** The epoch new messages of a conversation are sealed under. */
  currentEpoch: (convId: string) => number;
  /** The pinned Ed25519 public key of a member device, or undefined when unknown. */
  senderKey: (convId: string, senderDevice: string) => Uint8Array | undefined;
}

/** The end-to-end codec: seals under the current epoch key and signs; opens only what verifies. */
export function createE2ECodec(options: E2ECodecOptions): EnvelopeCodec {
  const { identity, epochKeys, currentEpoch, senderKey } = options;
  return {
    async seal(header, body) {
      if (header.senderDevice !== identity.deviceId) {
        throw new SealError("bad_header", "senderDevice is not this codec's device");
      }
      const epoch = currentEpoch(header.convId);
      const epochKey = epochKeys(header.convId, epoch);
      if (!epochKey) throw new SealError("unknown_epoch", `no key for epoch ${epoch} of ${header.convId}`);
      return sealMessage({ header: { ...header, epoch }, body, epochKey, signer: identity.sign.secretKey });
    },

    async open(envelope) {
      // The lookups only ever see well-formed ids and epochs.
      if (envelope === null || typeof envelope !== "object" || envelope.alg !== E2E_ALG || headerProblem(envelope)) {
        throw new DecryptError("bad_header");
      }
      const epochKey = epochKeys(envelope.convId, envelope.epoch);
      if (!epochKey) throw new DecryptError("unknown_epoch");
      const senderSigPk = senderKey(envelope.convId, envelope.senderDevice);
      if (!senderSigPk) throw new DecryptError("unknown_device");
      return openMessage({ envelope, epochKey, senderSigPk });
    },
  };
}
