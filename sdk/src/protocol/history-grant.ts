/**
 * The shape of a history grant message body (see `crypto/history-grant.ts`
 * for how the keys inside are sealed). A leaf module, like files.ts: the codec
 * checks decrypted bodies against it without loading any crypto.
 */

/** Most epochs one grant carries (a conversation rotating every 100 messages reaches this after ~100,000). */
export const MAX_GRANTED_EPOCHS = 1024;
/** Most devices one grant is sealed to (as for a member in a commit). */
export const MAX_GRANT_DEVICES = 16;
/** One sealed entry: the epoch (4 bytes big-endian) and its 32-byte key. */
export const GRANT_ENTRY_BYTES = 4 + 32;

/** The body of a history grant message. */
export interface HistoryGrantBody {
  type: "history-grant";
  /** The principal the keys are for. */
  grantee: string;
  /** Granted epochs, ascending, no repeats. */
  epochs: number[];
  /** The keys, sealed to each device of the grantee. */
  sealed: Array<{ deviceId: string; box: string }>;
}

/** Whether `value` has the shape of a {@link HistoryGrantBody} (checked after decryption, like every body). */
export function isHistoryGrantBody(value: unknown): value is HistoryGrantBody {
  const v = value as Partial<HistoryGrantBody> | null;
  if (v?.type !== "history-grant" || typeof v.grantee !== "string" || v.grantee.length > 64) return false;
  if (!Array.isArray(v.epochs) || v.epochs.length === 0 || v.epochs.length > MAX_GRANTED_EPOCHS) return false;
  for (let i = 0; i < v.epochs.length; i++) {
    const e = v.epochs[i];
    if (!Number.isInteger(e) || (e as number) < 1 || (i > 0 && (e as number) <= (v.epochs[i - 1] as number))) {
      return false;
    }
  }
  if (!Array.isArray(v.sealed) || v.sealed.length === 0 || v.sealed.length > MAX_GRANT_DEVICES) return false;
  return v.sealed.every(
    (s) =>
      s !== null &&
      typeof s === "object" &&
      Object.keys(s).length === 2 &&
      typeof s.deviceId === "string" &&
      s.deviceId.length <= 64 &&
      typeof s.box === "string" &&
      s.box.length <= 2 * (MAX_GRANTED_EPOCHS * GRANT_ENTRY_BYTES + 48),
  );
}
