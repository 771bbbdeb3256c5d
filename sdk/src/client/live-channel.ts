/**
 * The seam between live signals (sealed `live` bodies relayed by the gateway
 * with `signal.live`, never stored; client/live-signals.ts) and the features
 * that use them (the location runtime today).
 */
import type { LiveUpdate } from "../protocol/live/wire.js";

/** A live signal as received: opened, verified, and from a member of the conversation. */
export interface ReceivedLive {
  /** The conversation. */
  convId: string;
  /** Who sent it (set by the gateway; the signing device is pinned for this principal). */
  sender: string;
  /** The signing device. */
  senderDevice: string;
  /** Whether the payload carried a valid team vouch (or, without encryption, the sender is on the team). */
  fromTeam: boolean;
  /** The sender's clock when it sealed the signal, ms (the envelope's `ts`). */
  sentAt: number;
  /** The payload, checked for its shape only: the feature checks the rest. */
  live: LiveUpdate;
}

/** Sends and receives live signals. */
export interface LiveChannel {
  /**
   * Seals `live` for the conversation (under its current epoch, signed by this
   * device; in plaintext with encryption off) and asks the gateway to relay it.
   * Rejects with `rate_limited` over the relay's budget, `not_found` for a
   * conversation the caller is not in, and `payload_too_large` when the sealed
   * update is over MAX_LIVE_CIPHERTEXT_CHARS; never queued in the outbox (a live
   * update that cannot go now is stale by the time it could).
   */
  send(convId: string, live: LiveUpdate): Promise<void>;
  /** Calls `handler` for every live signal received from another principal (or another device of this one); returns the unsubscribe. */
  onSignal(handler: (signal: ReceivedLive) => void): () => void;
  /**
   * Calls `handler` for every live signal that did not open or verify (`reason`: the decrypt error's reason,
   * or the error's message; a plaintext envelope in an end-to-end encrypted conversation is `bad_header`):
   * the calls engine refuses a call in setup on it. `sender` is the gateway's word only. Returns the unsubscribe.
   */
  onUnverified(handler: (convId: string, sender: string, reason: string) => void): () => void;
}
