// File helpers of the demo: modification times (to decide what to rebuild) and
// private files written atomically. Only node: builtins.
import { chmod, readdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** The file's modification time, or undefined when it does not exist. */
export async function mtime(path) {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Newest mtime of the files under `dir`, skipping tests (they are not built). */
export async function newestUnder(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.test\.ts$/.test(entry.name)) continue;
    newest = Math.max(newest, (await mtime(join(entry.parentPath ?? entry.path, entry.name))) ?? 0);
  }
  return newest;
}

/** Writes a file atomically with mode 0600. */
export async function writePrivate(path, text) {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
