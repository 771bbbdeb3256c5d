/**
 * A `KeyValueStorage` in one JSON file, for bots, terminal clients and other
 * Node processes that must keep their device keys, team key, session and
 * outbox across restarts. Writes are queued one after another and go to a
 * temporary file that is renamed over the old one, so a crash never leaves a
 * half-written file; the directory is made owner-only and the file is readable
 * by its owner only (it holds secret keys).
 *
 * ```ts
 * const client = createClient({ ..., storage: fileStorage("/var/lib/acme-bot/state.json") });
 * ```
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { KeyValueStorage } from "../storage.js";

/** A `KeyValueStorage` kept in the JSON file at `path` (made owner-only; written by rename, one write at a time). */
export function fileStorage(path: string): KeyValueStorage {
  let data: Promise<Map<string, string>> | undefined;
  let writing: Promise<void> = Promise.resolve();
  const load = () => {
    data ??= readFile(path, "utf8").then(
      (text) => new Map(Object.entries(JSON.parse(text) as Record<string, string>)),
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT") return new Map<string, string>();
        throw err;
      },
    );
    return data;
  };
  const save = (map: Map<string, string>) => {
    const next = writing.then(async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(Object.fromEntries(map)), { mode: 0o600 });
      await rename(tmp, path);
    });
    writing = next.catch(() => undefined);
    return next;
  };
  return {
    async get(key) {
      return (await load()).get(key);
    },
    async set(key, value) {
      const map = await load();
      map.set(key, value);
      await save(map);
    },
    async delete(key) {
      const map = await load();
      if (map.delete(key)) await save(map);
    },
  };
}
