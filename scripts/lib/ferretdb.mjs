// Finds or builds FerretDB (MongoDB wire protocol on SQLite or PostgreSQL) for the tests and the
// demo, and starts it on a free loopback port. No dependencies: Node 20 and, for
// the first build only, the Go toolchain.
//
// Resolution order: $FERRETDB_BIN; <cache>/bin/ferretdb; else build
// github.com/FerretDB/FerretDB@v1.24.2 from the Go module proxy into the cache
// (cache = $PARLEY_CACHE or ~/.cache/parley). v1.24.2 is the last v1; v2 needs a
// PostgreSQL extension that is not available here.
import { execFile, spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, chmod, cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createConnection, createServer } from "node:net";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);

export const FERRETDB_VERSION = "v1.24.2";
const MODULE = "github.com/FerretDB/FerretDB";
/** A build lock older than this is taken to be left over, even if its pid is alive (pid reuse). */
const STALE_LOCK_MS = 30 * 60_000;

const log = (line) => process.stderr.write(`[ferretdb] ${line}\n`);

function cacheDir() {
  return process.env.PARLEY_CACHE ?? join(homedir(), ".cache", "parley");
}

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function versionOf(bin) {
  const { stdout } = await exec(bin, ["--version"], { timeout: 15_000 });
  const match = /version:\s*(\S+)/.exec(stdout);
  return match?.[1] ?? stdout.trim().split("\n")[0] ?? "unknown";
}

/**
 * Returns a FerretDB binary, building it into the cache the first time (a few
 * minutes). Safe to call from several processes at once.
 * @returns {Promise<{ bin: string, version: string }>}
 */
export async function ensureFerretdb() {
  const fromEnv = process.env.FERRETDB_BIN;
  if (fromEnv) {
    if (!(await isExecutable(fromEnv))) throw new Error(`FERRETDB_BIN=${fromEnv} is not an executable file`);
    return { bin: fromEnv, version: await versionOf(fromEnv) };
  }
  const cache = cacheDir();
  const bin = join(cache, "bin", "ferretdb");
  if (!(await isExecutable(bin))) await withLock(join(cache, "ferretdb.lock"), () => buildInto(cache, bin));
  return { bin, version: await versionOf(bin) };
}

/** True when the process that took the lock is gone (or the lock is older than STALE_LOCK_MS). */
async function isStale(lockDir) {
  const pid = Number.parseInt(await readFile(join(lockDir, "pid"), "utf8").catch(() => ""), 10);
  if (Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if (error.code === "ESRCH") return true;
    }
  }
  const age = await stat(lockDir).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return age > STALE_LOCK_MS;
}

/** Runs `fn` holding a lock directory, so only one process builds at a time. */
async function withLock(lockDir, fn) {
  await mkdir(join(lockDir, ".."), { recursive: true });
  let announced = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, "pid"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (await isStale(lockDir)) {
        log(`removing stale lock ${lockDir}`);
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for another process building FerretDB (lock ${lockDir})`);
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}

async function buildInto(cache, bin) {
  // Another process may have finished the build while this one waited for the lock.
  if (await isExecutable(bin)) return;
  try {
    await exec("go", ["version"]);
  } catch {
    throw new Error(
      "FerretDB is not built yet and the Go toolchain (`go`) is not on PATH. Install Go >= 1.24, " +
        "set FERRETDB_BIN to a FerretDB v1 binary, or set MONGODB_URI to use a real MongoDB.",
    );
  }
  const env = { ...process.env, GOFLAGS: "-mod=mod -buildvcs=false", CGO_ENABLED: "0" };

  log(`downloading ${MODULE}@${FERRETDB_VERSION} (go mod download)`);
  const { stdout } = await exec("go", ["mod", "download", "-json", `${MODULE}@${FERRETDB_VERSION}`], {
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = JSON.parse(stdout);
  if (info.Error || !info.Dir) throw new Error(`go mod download failed: ${info.Error ?? stdout}`);

  // The module cache is read-only; build from a writable copy so version.txt can be written.
  const src = join(cache, "src", `ferretdb-${FERRETDB_VERSION}`);
  log(`copying sources to ${src}`);
  await rm(src, { recursive: true, force: true });
  await mkdir(join(cache, "src"), { recursive: true });
  await cp(info.Dir, src, { recursive: true });
  await makeWritable(src);
  await writeFile(join(src, "build", "version", "version.txt"), `${FERRETDB_VERSION}\n`);

  await mkdir(join(cache, "bin"), { recursive: true });
  const tmp = `${bin}.tmp-${process.pid}`;
  log(`building ${bin} (go build ./cmd/ferretdb); the first build takes a few minutes`);
  try {
    await run("go", ["build", "-trimpath", "-o", tmp, "./cmd/ferretdb"], { cwd: src, env });
    await rename(tmp, bin);
  } finally {
    await rm(tmp, { force: true });
  }
  log(`built ${bin}`);
}

async function makeWritable(dir) {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(path);
    else if (entry.isFile()) await chmod(path, 0o644);
  }
}

function run(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} failed (${signal ?? `exit ${code}`})`));
    });
  });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(address.port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts FerretDB on a free loopback port (or `port`); resolves once it accepts
 * connections. The SQLite backend stores its files in `dir`; with `postgresqlUrl`
 * the PostgreSQL backend stores everything in that database and `dir` only holds
 * FerretDB's state file (several processes may share one PostgreSQL database).
 * `kill()` is an abrupt SIGKILL (a crash), `stop()` a graceful SIGTERM.
 * @param {{ dir: string, postgresqlUrl?: string, port?: number }} options
 * @returns {Promise<{ uri: string, port: number, pid: number, stop(): Promise<void>, kill(): Promise<void> }>}
 */
export async function startFerretdb({ dir, postgresqlUrl, port: fixedPort }) {
  const { bin } = await ensureFerretdb();
  await mkdir(dir, { recursive: true });
  const stateDir = dir.endsWith("/") ? dir : `${dir}/`;
  const backend = postgresqlUrl
    ? ["--handler=postgresql", `--postgresql-url=${postgresqlUrl}`]
    : ["--handler=sqlite", `--sqlite-url=file:${stateDir}?_pragma=synchronous(full)`];

  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    const args = [
      ...backend,
      `--listen-addr=127.0.0.1:${port}`,
      "--telemetry=disable",
      "--debug-addr=-",
      "--log-level=warn",
      `--state-dir=${stateDir}`,
    ];
    const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
    let exitStatus;
    exited.then((status) => {
      exitStatus = status;
    });

    const deadline = Date.now() + 20_000;
    while (exitStatus === undefined && Date.now() < deadline) {
      if (await canConnect(port)) {
        const end = async (signal) => {
          if (exitStatus !== undefined) return;
          child.kill(signal);
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          await exited;
          clearTimeout(timer);
        };
        return {
          uri: `mongodb://127.0.0.1:${port}/`,
          port,
          pid: child.pid,
          stop: () => end("SIGTERM"),
          kill: () => end("SIGKILL"),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (exitStatus === undefined) {
      child.kill("SIGKILL");
      await exited;
      throw new Error(`FerretDB did not accept connections on port ${port} within 20 s:\n${stderr}`);
    }
    // The port may have been taken between probing and binding (or, for a fixed port, still be held); try again.
    if (attempt >= 3) throw new Error(`FerretDB exited (${exitStatus}):\n${stderr}`);
    if (fixedPort) await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
