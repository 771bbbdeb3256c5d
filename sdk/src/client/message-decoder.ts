/**
 * Turns stored envelopes into `ChatMessage`s: plaintext through the codec,
 * end-to-end through the session (this device's own messages from the body
 * the outbox sealed them from). What this device cannot open is kept, per
 * conversation, so a later history grant or team key can open it after all.
 */
import type { ChatMessage } from "../conversation-tracker.js";
import { DecryptError, EncryptionUnavailableError } from "../errors.js";
import { ownSealedBody } from "../outbox.js";
import type { StoredMessage } from "../protocol/envelope.js";
import { isTeamPrincipalId } from "../protocol/ids.js";
import type { ClientCore } from "./core.js";

/** Unreadable envelopes kept per conversation for a later history grant. */
const MAX_HELD_UNREADABLE = 5_000;

export class MessageDecoder {
  readonly #core: ClientCore;
  /** Envelopes this device could not open, per conversation: a history grant may open them later. */
  readonly #unreadable = new Map<string, Map<number, StoredMessage>>();
  /** The seq each message id was first taken in under, per conversation: a signed envelope has one place. */
  readonly #placed = new Map<string, Map<string, number>>();

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** Decodes one message; a failure gives a message without body (reported as `decode-failed` when `report`). */
  async decode(m: StoredMessage, report = true): Promise<ChatMessage> {
    const core = this.#core;
    const base = {
      convId: m.convId,
      seq: m.seq,
      msgId: m.msgId,
      sender: m.sender,
      senderDevice: m.envelope.senderDevice,
      ts: m.ts,
    };
    try {
      // Synchronously, before any await: of two copies decoded at once, the first one placed wins.
      this.#place(m);
      // Plaintext: no team key, so "from the team" is the gateway's word (the sender's id is an agent's or a bot's).
      if (!core.o.encryption) {
        const body = await core.o.codec.open(m.envelope);
        return isTeamPrincipalId(m.sender) ? { ...base, body, fromTeam: true } : { ...base, body };
      }
      // Our own message, live or just acknowledged, while the outbox still holds the body it was
      // sealed from: no need to verify our own signature (a third of a sender's crypto time).
      const self = { principalId: core.self, deviceId: core.deviceId };
      const entry = core.outbox?.find(m.msgId);
      const own = ownSealedBody(entry, m, self);
      if (own) return entry?.fromTeam ? { ...base, body: own, fromTeam: true } : { ...base, body: own };
      const { body, sharedBy, fromTeam } = await core.requireE2E().openMessage(m);
      this.#unreadable.get(m.convId)?.delete(m.seq);
      return { ...base, body, ...(sharedBy ? { sharedBy } : {}), ...(fromTeam ? { fromTeam } : {}) };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (core.o.encryption) {
        const held = this.#unreadable.get(m.convId) ?? new Map<number, StoredMessage>();
        if (held.size < MAX_HELD_UNREADABLE) held.set(m.seq, m);
        this.#unreadable.set(m.convId, held);
      }
      if (report) core.events.emit("decode-failed", { conversationId: m.convId, seq: m.seq, msgId: m.msgId, error });
      // No key on this device (sent before it could read the conversation) is not damage: say which it is.
      const unreadable =
        err instanceof EncryptionUnavailableError ? (err.memberThen === false ? "before_joined" : "no_key") : "invalid";
      return { ...base, body: undefined, error: error.message, unreadable };
    }
  }

  /**
   * Binds the message to what its sender signed (ADR in docs/security.md, "Replayed envelopes"): the
   * envelope's signed header names the conversation and message id it may be shown under, and one
   * message id has one seq per conversation (the gateway assigns seqs after signing, so the first seq
   * this client took the message in under is the one it keeps). Anything else is `misplaced`.
   */
  #place(m: StoredMessage): void {
    if (m.envelope.convId !== m.convId || m.envelope.msgId !== m.msgId) throw new DecryptError("misplaced");
    let placed = this.#placed.get(m.convId);
    if (!placed) {
      placed = new Map();
      this.#placed.set(m.convId, placed);
    }
    const seq = placed.get(m.msgId);
    if (seq !== undefined && seq !== m.seq) throw new DecryptError("misplaced");
    placed.set(m.msgId, m.seq);
  }

  /** After a history grant: opens again what this device could not read before, and shows what now opens. */
  async reopen(convId: string): Promise<void> {
    const held = this.#unreadable.get(convId);
    if (!held || held.size === 0) return;
    const decoded = await Promise.all([...held.values()].map((m) => this.decode(m, false)));
    const opened = decoded.filter((m) => m.body !== undefined);
    this.#core.tracker(convId).replace(opened);
    for (const listener of this.#core.ingested) listener(convId, opened);
  }

  /** After the team key arrived: opens again what this device could not read, in every conversation. */
  reopenAll(): Promise<unknown> {
    return Promise.all([...this.#unreadable.keys()].map((c) => this.reopen(c)));
  }
}
