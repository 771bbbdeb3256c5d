/**
 * Sends what the outbox holds: in order, one at a time, each first attempt
 * acknowledged through its own message event (send-acks.ts); end-to-end entries
 * sealed just before sending and sealed again (same msgId) when the
 * conversation moved to a newer epoch; a refused message marked failed when
 * its error is not `retryable`, anything else retried with backoff.
 */
import type { MessageBody } from "../codec.js";
import type { ChatMessage, PendingMessage } from "../conversation-tracker.js";
import { isRetryable, ParleyError } from "../errors.js";
import { Outbox, type OutboxEntry } from "../outbox.js";
import { ENVELOPE_VERSION, type Envelope } from "../protocol/envelope.js";
import { randomId } from "../protocol/ids.js";
import type { ConversationSync } from "./conversation-sync.js";
import type { ClientCore } from "./core.js";

/** Times one message is sealed again after `stale_epoch` before it is marked failed. */
const MAX_RESEALS = 5;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;

export class OutboxSender {
  readonly #core: ClientCore;
  readonly #sync: ConversationSync;
  readonly #reseals = new Map<string, number>();
  #flushing: Promise<void> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryDelay = FIRST_RETRY_MS;

  constructor(core: ClientCore, sync: ConversationSync) {
    this.#core = core;
    this.#sync = sync;
  }

  /** Loads the principal's outbox from storage and lists what it holds as pending. */
  async load(principalId: string): Promise<void> {
    const outbox = new Outbox(this.#core.o.storage, `parley:outbox:${principalId}`);
    this.#core.outbox = outbox;
    await outbox.load();
    for (const entry of outbox.entries) this.#showPending(entry);
  }

  /** Queues a message (written to storage first) and resolves once it is stored, or rejects when refused for good. */
  async send(convId: string, content: MessageBody): Promise<ChatMessage> {
    const core = this.#core;
    const outbox = core.requireOutbox();
    const header = {
      v: ENVELOPE_VERSION,
      convId,
      epoch: 0,
      msgId: randomId(),
      senderDevice: core.deviceId,
      ts: Date.now(),
    } as const;
    // End-to-end entries are sealed when they are sent (see #sealed), so a newer epoch only means sealing again.
    // A file message claims its blob, or the gateway deletes the blob after its claim window.
    const claims = content.type === "file" ? { blobs: [content.file.id] } : {};
    const entry: OutboxEntry = core.o.encryption
      ? { convId, envelope: unsealed(header), body: content, queuedAt: Date.now(), attempts: 0, ...claims }
      : { convId, envelope: await core.o.codec.seal(header, content), queuedAt: Date.now(), attempts: 0, ...claims };
    const msgId = entry.envelope.msgId;
    const done = new Promise<ChatMessage>((resolve, reject) => core.waiters.set(msgId, { resolve, reject }));
    await outbox.add(entry);
    this.#showPending(entry, content);
    void this.flush();
    return done;
  }

  /** Sends a failed message again, with the same msgId. */
  async retry(msgId: string): Promise<void> {
    const outbox = this.#core.requireOutbox();
    const entry = outbox.find(msgId);
    if (!entry) return;
    await outbox.setFailed(msgId, undefined);
    this.#core
      .tracker(entry.convId)
      .setPending((p) => p.map((m) => (m.msgId === msgId ? { ...m, state: "sending", error: undefined } : m)));
    void this.flush();
  }

  /** Drops a message from the outbox. */
  async discard(msgId: string): Promise<void> {
    const outbox = this.#core.requireOutbox();
    const entry = outbox.find(msgId);
    if (!entry) return;
    await outbox.remove(msgId);
    this.#core.tracker(entry.convId).setPending((p) => p.filter((m) => m.msgId !== msgId));
  }

  /** Connected again: retries start from the shortest delay, and what waited goes out now. */
  resume(): void {
    this.#retryDelay = FIRST_RETRY_MS;
    void this.flush();
  }

  stop(): void {
    clearTimeout(this.#retryTimer);
  }

  /** Sends outbox entries in order, one at a time; stops at the first transient failure and retries later. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    this.#flushing = this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    const core = this.#core;
    const outbox = core.outbox;
    // With encryption nothing can be sealed before the E2E session exists (a message written while
    // connecting): it waits in the outbox, and connect flushes again once the session is there.
    if (core.o.encryption && !core.e2e) return;
    while (outbox && !core.closed) {
      const entry = outbox.entries.find((e) => !e.failed);
      if (!entry) return;
      const msgId = entry.envelope.msgId;
      try {
        outbox.countAttempt(msgId);
        const envelope = await this.#sealed(entry);
        const claims = entry.blobs?.length ? { blobs: entry.blobs } : {};
        // The first attempt is acknowledged through the message's own event (a reply only on errors); a
        // retry asks for the reply, and so does every send after a lost event until the link reconnects,
        // so events that keep being lost cost one timeout (ADR 0052).
        if (entry.attempts <= 1 && core.sendAcks.byEvent) core.sendAcks.want(msgId);
        const ack = await core
          .request("msg.send", { convId: entry.convId, envelope, ...claims })
          .finally(() => core.sendAcks.unwant(msgId));
        const sender = core.self ?? "";
        // Ingested before the entry leaves the outbox, so it shows from the body it was sealed from.
        const stored = { convId: entry.convId, seq: ack.seq, msgId, sender, ts: ack.ts, envelope };
        await this.#sync.ingest(entry.convId, [stored], true);
        await outbox.remove(msgId);
        this.#sent(entry.convId, msgId);
      } catch (err) {
        // The conversation moved to a newer epoch: fetch its commits, seal again (same msgId), send again.
        const reseals = this.#reseals.get(msgId) ?? 0;
        if (err instanceof ParleyError && err.code === "stale_epoch" && entry.body && reseals < MAX_RESEALS) {
          this.#reseals.set(msgId, reseals + 1);
          try {
            await core.requireE2E().sync(entry.convId);
            await outbox.setEnvelope(msgId, unsealed(entry.envelope));
            continue;
          } catch {
            this.#scheduleRetry(undefined);
            return;
          }
        }
        if (!isRetryable(err)) {
          await this.#failed(entry.convId, msgId, err as Error);
          continue;
        }
        this.#scheduleRetry(err instanceof ParleyError ? err.retryAfter : undefined);
        return;
      }
    }
  }

  /** The gateway stored the message: it leaves the pending list, and its sender learns the outcome. */
  #sent(convId: string, msgId: string): void {
    const tracker = this.#core.tracker(convId);
    tracker.setPending((p) => p.filter((m) => m.msgId !== msgId));
    // Our own message is in state; the waiter was resolved by ingest unless the live event came first.
    // When the live copy is still being decoded, that ingest resolves the waiter instead.
    const waiter = this.#core.waiters.get(msgId);
    const stored = waiter && tracker.state.value.messages.find((m) => m.msgId === msgId);
    if (waiter && stored) {
      waiter.resolve(stored);
      this.#core.waiters.delete(msgId);
    }
    if (tracker.hasGap()) void this.#sync.backfill(convId).catch(() => undefined);
    this.#retryDelay = FIRST_RETRY_MS;
    this.#reseals.delete(msgId);
  }

  /** Refused for good: kept in the outbox as failed (until `retry` or `discard`), and `send` rejects. */
  async #failed(convId: string, msgId: string, err: Error): Promise<void> {
    const code = err instanceof ParleyError ? err.code : "bad_request";
    const failed = { code, message: err.message };
    await this.#core.requireOutbox().setFailed(msgId, failed);
    this.#reseals.delete(msgId);
    this.#core
      .tracker(convId)
      .setPending((p) => p.map((m) => (m.msgId === msgId ? { ...m, state: "failed", error: failed } : m)));
    this.#core.waiters.get(msgId)?.reject(err);
    this.#core.waiters.delete(msgId);
  }

  /** The envelope to send: as queued, or (end-to-end) sealed under the current epoch and kept in the outbox. */
  async #sealed(entry: OutboxEntry): Promise<Envelope> {
    if (!entry.body || entry.envelope.sig !== "") return entry.envelope;
    const { alg: _alg, nonce: _nonce, ct: _ct, sig: _sig, ...header } = entry.envelope;
    // Sealed by this device's E2E session, so sent as its device (a message queued while connecting
    // carries no device or the one known before the session started).
    const e2e = this.#core.requireE2E();
    const from = { ...header, senderDevice: e2e.identity.deviceId };
    const { envelope, vouched } = await e2e.seal(from, entry.body);
    await this.#core.requireOutbox().setEnvelope(envelope.msgId, envelope, vouched);
    return envelope;
  }

  #showPending(entry: OutboxEntry, body?: MessageBody): void {
    const core = this.#core;
    body ??= entry.body;
    const pending: PendingMessage = {
      convId: entry.convId,
      msgId: entry.envelope.msgId,
      body: body ?? { type: "text", text: "" },
      queuedAt: entry.queuedAt,
      state: entry.failed ? "failed" : "sending",
      ...(entry.failed ? { error: entry.failed } : {}),
    };
    if (!body) {
      core.o.codec.open(entry.envelope).then(
        (decoded) =>
          core
            .tracker(entry.convId)
            .setPending((p) => p.map((m) => (m.msgId === pending.msgId ? { ...m, body: decoded } : m))),
        () => undefined,
      );
    }
    core.tracker(entry.convId).setPending((p) => [...p.filter((m) => m.msgId !== pending.msgId), pending]);
  }

  #scheduleRetry(retryAfterSeconds: number | undefined): void {
    if (this.#core.closed) return;
    const delay = retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : this.#retryDelay;
    this.#retryDelay = Math.min(this.#retryDelay * 2, MAX_RETRY_MS);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.flush(), delay);
  }
}

/** An envelope reduced to its header, waiting to be sealed (end-to-end outbox entries). */
function unsealed(header: Omit<Envelope, "alg" | "nonce" | "ct" | "sig"> & Partial<Envelope>): Envelope {
  const { alg: _alg, nonce: _nonce, ct: _ct, sig: _sig, ...rest } = header;
  return { ...rest, epoch: 0, alg: "xc20p-ed25519", nonce: "", ct: "", sig: "" };
}
