/**
 * Waiting on a conversation's calls board for a call's record to reach a
 * state: this device's join folded (before it offers), a signal sender's join
 * folded (before its offer is taken or refused).
 */
import type { StateStore } from "../../state-store.js";
import type { CallRecord, CallsBoard } from "../api.js";

/** The longest wait for the board to show a join (this device's, or a signal sender's), ms. */
export const BOARD_WAIT_MS = 8_000;

/**
 * The call's record once `test` holds for it (now, or within BOARD_WAIT_MS);
 * undefined when it does not, or once `over()` (the call ended).
 */
export function waitForRecord(
  board: StateStore<CallsBoard>,
  callId: string,
  o: { test(record: CallRecord): boolean; over(): boolean },
): Promise<CallRecord | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    const done = (record: CallRecord | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unsubscribe?.();
      resolve(record);
    };
    const timer = setTimeout(() => done(undefined), BOARD_WAIT_MS);
    // `subscribe` calls back with the current value at once: `done` may run before it returns.
    unsubscribe = board.subscribe((next) => {
      const record = next.calls.get(callId);
      if (o.over()) done(undefined);
      else if (record && o.test(record)) done(record);
    });
    if (settled) unsubscribe();
  });
}
