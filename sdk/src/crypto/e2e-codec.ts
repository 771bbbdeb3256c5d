/**
 * The end-to-end {@link EnvelopeCodec}: plugs into `ClientOptions.codec` in
 * place of `plainCodec`. Key lookup is injected: the epoch layer (commits,
 * wraps, pinning) supplies epoch keys and senders' signing keys through these
 * callbacks, and this codec only seals and opens.
 */
import type { EnvelopeCodec } from "../codec.js";
import type { Envelope, EnvelopeHeader } from "../protocol/envelope.js";
import type { MessageBody } from "../protocol/message-body.js";
import { headerProblem } from "./canonical.js";
import type { DeviceIdentity } from "./device-keys.js";
import {
  DecryptError,
  E2E_ALG,
  type OpenedEnvelope,
  openVouchedMessage,
  SealError,
  sealMessage,
  type TeamSigner,
} from "./message-crypto.js";

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
  /** Team devices: the team key to vouch with, or undefined while this device does not hold it. */
  teamSigner?: () => Promise<TeamSigner | undefined>;
}

/** The end-to-end codec: an {@link EnvelopeCodec} that also hands back the team vouch of what it opens. */
export interface E2ECodec extends EnvelopeCodec {
  /** As `seal`, and says whether the plaintext carries a team vouch. */
  sealVouched(
    header: EnvelopeHeader,
    body: MessageBody,
  ): Promise<{
    /** The sealed envelope. */
    envelope: Envelope;
    /** Whether its plaintext carries a team vouch. */
    vouched: boolean;
  }>;
  /** As `open`, with the plaintext's team vouch (unchecked; `verifyTeamVouch` checks it). */
  openVouched(envelope: Envelope): Promise<OpenedEnvelope>;
}

/** The end-to-end codec: seals under the current epoch key and signs; opens only what verifies. */
export function createE2ECodec(options: E2ECodecOptions): E2ECodec {
  const { identity, epochKeys, currentEpoch, senderKey, teamSigner } = options;
  const codec: E2ECodec = {
    async seal(header, body) {
      return (await codec.sealVouched(header, body)).envelope;
    },

    async sealVouched(header, body) {
      if (header.senderDevice !== identity.deviceId) {
        throw new SealError("bad_header", "senderDevice is not this codec's device");
      }
      const epoch = currentEpoch(header.convId);
      const epochKey = epochKeys(header.convId, epoch);
      if (!epochKey) throw new SealError("unknown_epoch", `no key for epoch ${epoch} of ${header.convId}`);
      const team = await teamSigner?.();
      const signer = identity.sign.secretKey;
      const envelope = await sealMessage({
        header: { ...header, epoch },
        body,
        epochKey,
        signer,
        ...(team ? { teamSigner: team } : {}),
      });
      return { envelope, vouched: team !== undefined };
    },

    async open(envelope) {
      return (await codec.openVouched(envelope)).body;
    },

    async openVouched(envelope) {
      // The lookups only ever see well-formed ids and epochs.
      if (envelope === null || typeof envelope !== "object" || envelope.alg !== E2E_ALG || headerProblem(envelope)) {
        throw new DecryptError("bad_header");
      }
      const epochKey = epochKeys(envelope.convId, envelope.epoch);
      if (!epochKey) throw new DecryptError("unknown_epoch");
      const senderSigPk = senderKey(envelope.convId, envelope.senderDevice);
      if (!senderSigPk) throw new DecryptError("unknown_device");
      return openVouchedMessage({ envelope, epochKey, senderSigPk });
    },
  };
  return codec;
}
