/**
 * Live signals (`signal.live`): a `live` body sealed like a message (under the
 * conversation's head epoch, signed by this device, vouched on team devices
 * holding the team key; the plaintext codec's envelope with encryption off),
 * relayed by the gateway to the conversation's members and the team, never
 * stored and never queued in the outbox. Received ones are opened, checked to
 * be `live` bodies (a stored message's envelope relayed as a signal is
 * dropped; a signal's envelope stored as a message is a `live` message, which
 * the timeline shows as nothing), and handed to the registered handlers.
 */
import { DecryptError, ParleyError } from "../errors.js";
import { ENVELOPE_VERSION, type Envelope, type EnvelopeHeader } from "../protocol/envelope.js";
import { isTeamPrincipalId, randomId } from "../protocol/ids.js";
import type { LiveUpdate } from "../protocol/live/wire.js";
import { MAX_LIVE_CIPHERTEXT_CHARS } from "../protocol/live/wire.js";
import type { MessageBody } from "../protocol/message-body.js";
import type { ServerEvent } from "../protocol/rpc.js";
import type { ClientCore } from "./core.js";
import type { LiveChannel, ReceivedLive } from "./live-channel.js";

/** The body of a live signal. */
type LiveBody = Extract<MessageBody, { type: "live" }>;

/** A `live` server event. */
type LiveEvent = Extract<ServerEvent, { type: "live" }>;

/** The {@link LiveChannel} of a client: `client/modules.ts` makes one, the event router feeds it. */
export class LiveSignals implements LiveChannel {
  readonly #core: ClientCore;
  readonly #handlers = new Set<(signal: ReceivedLive) => void>();
  readonly #unverified = new Set<(convId: string, sender: string, reason: string) => void>();

  constructor(core: ClientCore) {
    this.#core = core;
  }

  async send(convId: string, live: LiveUpdate): Promise<void> {
    const core = this.#core;
    core.requireSession();
    // An interface has no index signature: the body's `live` takes the update as the plain record it is.
    const body: LiveBody = { type: "live", live: { ...live } };
    let envelope = await this.#seal(convId, body);
    try {
      await core.request("signal.live", { convId, envelope });
    } catch (err) {
      // A commit raced the seal: fetch it and seal once more under the new head.
      if (!(err instanceof ParleyError && err.code === "stale_epoch" && core.o.encryption)) throw err;
      await core.requireE2E().sync(convId);
      envelope = await this.#seal(convId, body);
      await core.request("signal.live", { convId, envelope });
    }
  }

  onSignal(handler: (signal: ReceivedLive) => void): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  onUnverified(handler: (convId: string, sender: string, reason: string) => void): () => void {
    this.#unverified.add(handler);
    return () => {
      this.#unverified.delete(handler);
    };
  }

  /**
   * A `live` event from the gateway. Dropped without a word: an envelope of
   * another conversation than the event's, and what this client sent itself
   * (this principal and this device: with encryption on, the device id is this
   * device's identity; with it off, a random id per client, so another client
   * of the same principal still hears it). What fails to open, or opens to
   * anything but a `live` body, goes to the client's `error` event and to the
   * {@link onUnverified} handlers.
   */
  async received(event: LiveEvent): Promise<void> {
    const core = this.#core;
    const { envelope } = event;
    if (envelope?.convId !== event.convId) return;
    if (event.principalId === core.self && envelope.senderDevice === core.deviceId) return;
    // Before end-to-end encryption is up there is nothing to open with; the sender's next update follows soon.
    if (core.o.encryption && !core.e2e) return;
    if (this.#handlers.size === 0 && this.#unverified.size === 0) return;
    let signal: ReceivedLive;
    try {
      signal = await this.#open(event);
    } catch (err) {
      core.report(new Error(`live signal in ${event.convId} not taken: ${(err as Error).message}`, { cause: err }));
      const reason = err instanceof DecryptError ? err.reason : (err as Error).message;
      for (const handler of [...this.#unverified]) handler(event.convId, event.principalId, reason);
      return;
    }
    for (const handler of [...this.#handlers]) handler(signal);
  }

  async #seal(convId: string, body: LiveBody): Promise<Envelope> {
    const core = this.#core;
    const header: EnvelopeHeader = {
      v: ENVELOPE_VERSION,
      convId,
      epoch: 0,
      msgId: randomId(),
      senderDevice: core.deviceId,
      ts: Date.now(),
    };
    const envelope = core.o.encryption
      ? await core.requireE2E().sealSignal(header, body)
      : await core.o.codec.seal(header, body);
    if (envelope.ct.length > MAX_LIVE_CIPHERTEXT_CHARS) {
      throw new ParleyError(
        "payload_too_large",
        `a live signal is sealed to at most ${MAX_LIVE_CIPHERTEXT_CHARS} characters`,
      );
    }
    return envelope;
  }

  async #open(event: LiveEvent): Promise<ReceivedLive> {
    const core = this.#core;
    const { envelope, principalId: sender } = event;
    let live: { kind: string };
    let fromTeam: boolean;
    if (core.o.encryption) {
      const opened = await core.requireE2E().openSignal(sender, envelope);
      live = opened.body.live;
      fromTeam = opened.fromTeam;
    } else {
      // Plaintext: no team key, so "from the team" is the gateway's word (the sender's id is an agent's or a bot's).
      const body = await core.o.codec.open(envelope);
      if (body.type !== "live") throw new ParleyError("bad_request", `a ${body.type} body is not a live signal`);
      live = body.live;
      fromTeam = isTeamPrincipalId(sender);
    }
    return {
      convId: event.convId,
      sender,
      senderDevice: envelope.senderDevice,
      fromTeam,
      sentAt: envelope.ts,
      live: live as LiveUpdate,
    };
  }
}
