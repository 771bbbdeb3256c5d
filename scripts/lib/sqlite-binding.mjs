// better-sqlite3 is the one native module here built per Node ABI (the others are
// N-API and load on every runtime). To run the suites on several Node majors from
// one node_modules, each ABI's build sits in the slot the `bindings` loader looks
// in last, lib/binding/node-v<abi>-<platform>-<arch>/, and the default
// build/Release copy (tried first, for one ABI only) moves into its own slot.
// Builds for other ABIs are compiled once with that runtime's headers and cached
// under <cache>/better-sqlite3/<version>/.
import { execFile } from "node:child_process";
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { cacheDir } from "./nats-server.mjs";

const run = promisify(execFile);

async function exists(path) {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The installed better-sqlite3 package directory, as the repository resolves it. */
function packageDir() {
  const require = createRequire(join(process.cwd(), "package.json"));
  return dirname(require.resolve("better-sqlite3/package.json"));
}

/** Whether `nodeBin` opens an in-memory database with the installed package. */
async function loads(nodeBin, pkg) {
  try {
    await run(nodeBin, ["-e", `new (require(${JSON.stringify(pkg)}))(":memory:").close()`], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

async function abiOf(nodeBin) {
  const { stdout } = await run(nodeBin, ["-p", "process.versions.modules"], { timeout: 15_000 });
  return stdout.trim();
}

function slotFor(pkg, abi) {
  return join(pkg, "lib", "binding", `node-v${abi}-${process.platform}-${process.arch}`, "better_sqlite3.node");
}

/** Compiles better-sqlite3 with the runtime in `nodeDir` in a scratch copy; returns the built file. */
async function build(pkg, nodeDir, into) {
  const scratch = await mkdtemp(join(cacheDir(), ".better-sqlite3-"));
  try {
    const copy = join(scratch, "better-sqlite3");
    await cp(pkg, copy, {
      recursive: true,
      filter: (src) => !src.startsWith(join(pkg, "build")) && !src.startsWith(join(pkg, "lib", "binding")),
    });
    console.error(`building better-sqlite3 for ${nodeDir} (first run only; about a minute)...`);
    await run("npm", ["run", "build-release", "--silent"], {
      cwd: copy,
      env: { ...process.env, PATH: `${join(nodeDir, "bin")}:${process.env.PATH}`, npm_config_nodedir: nodeDir },
      timeout: 900_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    await mkdir(dirname(into), { recursive: true });
    await copyFile(join(copy, "build", "Release", "better_sqlite3.node"), into);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Makes the installed better-sqlite3 load under the runtime `nodeBin` (in `nodeDir`) as well as
 * under the Node running this script.
 * @param {{ bin: string, dir: string }} runtime
 */
export async function ensureSqliteBinding(runtime) {
  const pkg = packageDir();
  const version = JSON.parse(await readFile(join(pkg, "package.json"), "utf8")).version;
  const release = join(pkg, "build", "Release", "better_sqlite3.node");
  if (await exists(release)) {
    // The default build is for the Node that installed it: this one, when it loads here.
    if (!(await loads(process.execPath, pkg))) {
      throw new Error(`better-sqlite3 does not load under ${process.execPath}: run npm ci (or npm rebuild) first`);
    }
    const own = slotFor(pkg, process.versions.modules);
    await mkdir(dirname(own), { recursive: true });
    await copyFile(release, own);
    await rm(release);
  }
  const abi = await abiOf(runtime.bin);
  const slot = slotFor(pkg, abi);
  if (!(await exists(slot))) {
    const cached = join(cacheDir(), "better-sqlite3", version, `node-v${abi}-${process.platform}-${process.arch}.node`);
    if (!(await exists(cached))) await build(pkg, runtime.dir, cached);
    await mkdir(dirname(slot), { recursive: true });
    await copyFile(cached, slot);
  }
  for (const bin of [process.execPath, runtime.bin]) {
    if (!(await loads(bin, pkg))) throw new Error(`better-sqlite3 still does not load under ${bin}`);
  }
}
