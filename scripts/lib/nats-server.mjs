// Finds or builds the nats-server binary the tests and the demo run.
//
// Order: $NATS_SERVER_BIN; <cache>/bin/nats-server (cache = $PARLEY_CACHE or
// ~/.cache/parley); `nats-server` on PATH when recent enough; else
// `go install github.com/nats-io/nats-server/v2@NATS_SERVER_VERSION` into a temp
// dir, then an atomic rename into <cache>/bin. Whatever is found must be at least
// MIN_NATS_SERVER_VERSION: Debian's 2.9.10 has an unpatched pre-auth crash
// (CVE-2026-27889) and a WebSocket compression bomb, so it is refused.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The release the project pins (built from the Go module proxy). */
export const NATS_SERVER_VERSION = "v2.15.2";
/** Oldest release accepted from NATS_SERVER_BIN, the cache or PATH. */
export const MIN_NATS_SERVER_VERSION = "v2.12.7";

const MODULE = "github.com/nats-io/nats-server/v2";
const LOCK_STALE_MS = 15 * 60_000;
const LOCK_POLL_MS = 500;

/** The cache directory: $PARLEY_CACHE or ~/.cache/parley. */
export function cacheDir() {
  return process.env.PARLEY_CACHE ?? join(homedir(), ".cache", "parley");
}

/** Parses "v2.15.2", "2.15.2" or "nats-server: v2.15.2" into [major, minor, patch]. */
export function parseVersion(text) {
  const m = /v?(\d+)\.(\d+)\.(\d+)/.exec(String(text));
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Compares two version strings; negative when a < b. Unparseable counts as oldest. */
export function compareVersions(a, b) {
  const pa = parseVersion(a) ?? [-1, 0, 0];
  const pb = parseVersion(b) ?? [-1, 0, 0];
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Runs `<bin> --version` and returns "vX.Y.Z", or undefined if it cannot run. */
async function versionOf(bin) {
  try {
    const { stdout, stderr } = await run(bin, ["--version"], { timeout: 15_000 });
    const v = parseVersion(`${stdout}\n${stderr}`);
    return v ? `v${v.join(".")}` : undefined;
  } catch {
    return undefined;
  }
}

async function accept(bin, source) {
  const version = await versionOf(bin);
  if (!version) throw new Error(`nats-server from ${source} (${bin}) does not run or print a version`);
  if (compareVersions(version, MIN_NATS_SERVER_VERSION) < 0) {
    throw new Error(
      `nats-server from ${source} (${bin}) is ${version}, older than ${MIN_NATS_SERVER_VERSION} ` +
        "(known vulnerabilities); set NATS_SERVER_BIN to a nats-server >= " +
        `${MIN_NATS_SERVER_VERSION} or remove it so ${NATS_SERVER_VERSION} is built`,
    );
  }
  return { bin, version };
}

async function findOnPath(name) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** mkdir-based lock: only one process builds; the others wait for it. */
async function withLock(lockDir, fn) {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if (err?.code !== "EEXIST") throw err;
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > LOCK_STALE_MS) await rm(lockDir, { recursive: true, force: true });
      else await sleep(LOCK_POLL_MS);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function build(binDir, target) {
  const go = process.env.GO ?? (await findOnPath("go"));
  if (!go) {
    throw new Error(
      `nats-server >= ${MIN_NATS_SERVER_VERSION} not found and \`go\` is not installed: ` +
        `install Go or set NATS_SERVER_BIN to a nats-server >= ${MIN_NATS_SERVER_VERSION}`,
    );
  }
  await mkdir(binDir, { recursive: true });
  // The temp dir sits next to the target so the final rename stays on one filesystem.
  const work = await mkdtemp(join(binDir, ".build-"));
  try {
    process.stderr.write(`building nats-server ${NATS_SERVER_VERSION} with ${go} (first run only)...\n`);
    try {
      await run(go, ["install", `${MODULE}@${NATS_SERVER_VERSION}`], {
        env: { ...process.env, GOBIN: work, CGO_ENABLED: process.env.CGO_ENABLED ?? "0" },
        timeout: 20 * 60_000,
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch (err) {
      const detail = String(err?.stderr ?? err?.message ?? err).trim();
      throw new Error(
        `go install ${MODULE}@${NATS_SERVER_VERSION} failed: ${detail}\n` +
          `install Go or set NATS_SERVER_BIN to a nats-server >= ${MIN_NATS_SERVER_VERSION}`,
        { cause: err },
      );
    }
    const built = join(work, "nats-server");
    await accept(built, "go install");
    await rename(built, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Returns a usable nats-server: `{ bin, version }`. Builds and caches the pinned
 * release when nothing suitable is installed. Safe to call concurrently.
 */
export async function ensureNatsServer() {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`NATS_SERVER_BIN=${fromEnv} is not an executable file`);
    return accept(fromEnv, "NATS_SERVER_BIN");
  }

  const binDir = join(cacheDir(), "bin");
  const cached = join(binDir, "nats-server");
  if (await isExecutable(cached)) {
    // The cache holds the pinned release; after the pin moves, an older cached build is rebuilt.
    const version = await versionOf(cached);
    if (version === NATS_SERVER_VERSION) return { bin: cached, version };
    process.stderr.write(`cached nats-server is ${version ?? "unreadable"}, not ${NATS_SERVER_VERSION}: rebuilding\n`);
  }

  const onPath = await findOnPath("nats-server");
  if (onPath) {
    const version = await versionOf(onPath);
    if (version && compareVersions(version, MIN_NATS_SERVER_VERSION) >= 0) return { bin: onPath, version };
    process.stderr.write(
      `ignoring ${onPath} (${version ?? "unknown version"}): older than ${MIN_NATS_SERVER_VERSION}\n`,
    );
  }

  await mkdir(binDir, { recursive: true });
  await withLock(join(binDir, ".nats-server.lock"), async () => {
    // Another process may have finished the build while this one waited.
    if (!(await isExecutable(cached))) await build(binDir, cached);
  });
  return accept(cached, "the cache");
}
