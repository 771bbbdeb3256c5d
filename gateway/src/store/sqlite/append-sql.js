// The SQL of one message append, in one place: the writer thread
// (writer-thread.js) runs it, and the benchmark's group-commit
// experiment runs the same statements. Plain JavaScript like the writer thread,
// so it loads without a TypeScript loader; types in append-sql.d.ts.

/** The stored message with this msgId in this conversation, if any (idempotent appends). */
export const MESSAGE_BY_MSG_ID = "SELECT * FROM messages WHERE conv_id = ? AND msg_id = ?";
/** The conversation's last seq (read under the write lock). */
export const LAST_SEQ = "SELECT last_seq FROM conversations WHERE id = ?";
export const INSERT_MESSAGE =
  "INSERT INTO messages (conv_id, seq, msg_id, sender, ts, envelope) VALUES (?, ?, ?, ?, ?, ?)";
/** Moves the conversation's last seq and updated time. */
export const BUMP_CONVERSATION = "UPDATE conversations SET last_seq = ?, updated_at = MAX(updated_at, ?) WHERE id = ?";
