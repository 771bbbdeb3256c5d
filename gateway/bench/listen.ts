/**
 * The listen-together sync figures for `npm run bench`: runs the widget's own
 * benchmark (`widget/bench/listen-sync.mjs --json`: two real Chromium players
 * of one session sampled against the shared clock for 30 s, 10 s with
 * `--quick`) in a child process and takes the JSON of its last line. Skipped
 * with `--no-listen`; a failure is a note, not a failed run.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

/** What the widget's benchmark reports, ms. */
export interface ListenFigures {
  listen_sync_median_ms: number | null;
  listen_sync_max_ms: number | null;
  listen_join_offset_ms: number | null;
  listen_pair_median_ms: number | null;
}

const EMPTY: ListenFigures = {
  listen_sync_median_ms: null,
  listen_sync_max_ms: null,
  listen_join_offset_ms: null,
  listen_pair_median_ms: null,
};

/** Runs the listen sync benchmark for `seconds`; null figures (and a note) when it could not run. */
export async function measureListen(seconds: number, notes: string[]): Promise<ListenFigures> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["widget/bench/listen-sync.mjs", "--json", "--seconds", String(seconds)],
      { maxBuffer: 1 << 20, timeout: (seconds + 180) * 1000 },
    );
    const last = stdout.trim().split("\n").at(-1) ?? "";
    const figures = JSON.parse(last) as Partial<ListenFigures>;
    notes.push(
      `listen: two Chromium players of one session sampled every 100 ms for ${seconds} s against the shared clock (widget/bench/listen-sync.mjs).`,
    );
    return { ...EMPTY, ...figures };
  } catch (err) {
    notes.push(`listen: not measured (${err instanceof Error ? err.message.split("\n")[0] : String(err)}).`);
    return EMPTY;
  }
}
