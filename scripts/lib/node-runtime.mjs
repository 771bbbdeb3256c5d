// The Node.js runtimes Parley supports, fetched as the npm registry's
// `node-<platform>-<arch>` packages (the official release tarballs: bin/node and
// the headers native modules build against) into <cache>/node/v<version>, so CI
// can run the suites on every supported major without a download from nodejs.org.
//
// Run directly, it prints the directory of one major's runtime:
//   node scripts/lib/node-runtime.mjs 22   ->  /root/.cache/parley/node/v22.23.5
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { cacheDir } from "./nats-server.mjs";

const run = promisify(execFile);

/** The supported majors and the release each one pins (README, `engines`, ADR 0050). */
export const NODE_RUNTIMES = Object.freeze({ 22: "22.23.5", 24: "24.22.3" });

/** The npm package holding the runtime for this machine. */
function packageName() {
  return `node-${process.platform}-${process.arch}`;
}

async function runs(bin) {
  try {
    await access(bin, constants.X_OK);
    await run(bin, ["--version"], { timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds or fetches the pinned release of a supported major.
 * @param {number | string} major 22 or 24
 * @returns {Promise<{ dir: string, bin: string, version: string }>}
 */
export async function ensureNode(major) {
  const version = NODE_RUNTIMES[Number(major)];
  if (!version) {
    throw new Error(`Node ${major} is not a supported runtime (supported: ${Object.keys(NODE_RUNTIMES).join(", ")})`);
  }
  const dir = join(cacheDir(), "node", `v${version}`);
  const bin = join(dir, "bin", "node");
  if (await runs(bin)) return { dir, bin, version };
  await mkdir(join(cacheDir(), "node"), { recursive: true });
  const tmp = await mkdtemp(join(cacheDir(), "node", ".fetch-"));
  try {
    const spec = `${packageName()}@${version}`;
    console.error(`fetching Node ${version} from the npm registry (${spec}, first run only)...`);
    await run("npm", ["pack", spec, "--pack-destination", tmp, "--silent"], {
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = (await readdir(tmp)).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack ${spec} left no tarball`);
    const out = join(tmp, "out");
    await mkdir(out);
    await run("tar", ["xzf", join(tmp, tarball), "-C", out, "--strip-components=1"], { timeout: 300_000 });
    if (!(await runs(join(out, "bin", "node")))) throw new Error(`${spec} holds no runnable bin/node`);
    await rm(dir, { recursive: true, force: true });
    await rename(out, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { dir, bin, version };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const major = process.argv[2];
  if (!major) {
    console.error("usage: node scripts/lib/node-runtime.mjs <major>");
    process.exit(2);
  }
  ensureNode(major).then(
    ({ dir }) => console.log(dir),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
