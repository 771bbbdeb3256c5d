/**
 * The leak check of SECURITY.md's matrix: where a canary (a random string put
 * in plaintext on purpose) shows up after a run. End-to-end content must be
 * in none of the places: the store's messages of the conversation, the files
 * under the gateway's data directory, the gateway's logs, and what the
 * wiretaps captured on NATS.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { TestStack } from "./stack.js";
import type { Wiretap } from "./wiretap.js";

/** Where a canary was found: true for each place that holds it. */
export interface CanaryPlaces {
  store: boolean;
  files: boolean;
  logs: boolean;
  nats: boolean;
}

/** What the search read (so a test can check it read something). */
export interface CanarySearch {
  found: CanaryPlaces;
  /** The files read under the data directory. */
  files: string[];
  /** The NATS messages captured. */
  captured: number;
}

/** Every file under `dir`. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await filesUnder(path) : [path]));
  }
  return out;
}

/** Flushes the taps, then looks for `canary` in the conversation's stored messages, the data files, the logs and the captures. */
export async function findCanary(
  stack: TestStack,
  taps: readonly Wiretap[],
  convId: string,
  canary: string,
): Promise<CanarySearch> {
  await Promise.all(taps.map((t) => t.flush()));
  const store = JSON.stringify(await stack.gateway.store.since(convId, 0, 1000));
  const files = await filesUnder(stack.config.dataDir);
  const raw = (await Promise.all(files.map((f) => readFile(f, "latin1")))).join("\n");
  const captured = taps.flatMap((t) => t.captured);
  const nats = captured.join("\n");
  return {
    found: {
      store: store.includes(canary),
      files: raw.includes(canary),
      logs: stack.logs().includes(canary),
      nats: nats.includes(canary),
    },
    files,
    captured: captured.length,
  };
}

/** The answer of {@link findCanary} when the canary is nowhere. */
export const NOWHERE: CanaryPlaces = { store: false, files: false, logs: false, nats: false };
