/** Messages: ciphertext envelopes in gapless seq order per conversation. */
import type { Envelope, StoredMessage } from "@parley/sdk/protocol";

export interface NewMessage {
  convId: string;
  msgId: string;
  sender: string;
  ts: number;
  envelope: Envelope;
  /**
   * `JSON.stringify(envelope)` when the caller has it already (the send path serializes each envelope
   * once); a store that keeps the envelope as text may store it as is.
   */
  envelopeJson?: string;
}

export interface AppendResult {
  message: StoredMessage;
  /** True when (convId, msgId) was already stored: the stored message is returned unchanged. */
  duplicate: boolean;
}

export interface MessageStore {
  /**
   * Appends a message: assigns the next seq of its conversation (1, 2, 3... with
   * no gaps) and stores it durably before resolving. Idempotent on
   * (convId, msgId): a second append returns the first message with
   * `duplicate: true`. Also moves the conversation's `lastSeq` and `updatedAt`.
   * Rejects when the conversation does not exist.
   */
  append(message: NewMessage): Promise<AppendResult>;
  /**
   * Newest first: messages with seq < `before` (or the newest when absent), at most `limit`;
   * with `fromTs`, only those stored at or after it (their `ts`), the reader's history floor.
   */
  history(convId: string, before: number | undefined, limit: number, fromTs?: number): Promise<StoredMessage[]>;
  /** Oldest first: messages with seq > `after`, at most `limit`; with `fromTs`, only those with `ts` >= it. */
  since(convId: string, after: number, limit: number, fromTs?: number): Promise<StoredMessage[]>;
}
