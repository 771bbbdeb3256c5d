// A KeyValueStorage (the SDK's storage interface) in one JSON file, readable by
// its owner only: the terminal chat keeps its device keys, the team key (agent),
// its session and its outbox there, so each run is the same device and reads
// what earlier runs could. Writes go to a temporary file renamed over the old
// one, so a crash never leaves half a file. The same as
// examples/bot/file-storage.ts, in plain JavaScript so the script runs without
// a build step.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/** @param {string} path */
export function fileStorage(path) {
  /** @type {Promise<Map<string, string>> | undefined} */
  let data;
  let writing = Promise.resolve();
  const load = () => {
    data ??= readFile(path, "utf8").then(
      (text) => new Map(Object.entries(JSON.parse(text))),
      (err) => {
        if (err.code === "ENOENT") return new Map();
        throw err;
      },
    );
    return data;
  };
  const save = (map) => {
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
