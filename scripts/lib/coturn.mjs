// Finds or installs coturn's `turnserver`, the TURN relay the call tests run
// (the same server production docs recommend next to the gateway).
//
// Order: $TURNSERVER_BIN; /usr/bin/turnserver; else Debian's `coturn` package via
// apt-get (the CI machine is fresh each run and has apt). Debian's package does
// not start a daemon on install: its /etc/default/coturn leaves
// TURNSERVER_ENABLED commented out, and the tests start their own on loopback.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const DEBIAN_BIN = "/usr/bin/turnserver";

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `turnserver --version` prints the bare version (`4.6.1`); anything else means it does not run. */
async function versionOf(bin) {
  try {
    const { stdout } = await run(bin, ["--version"], { timeout: 30_000 });
    return /(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Resolves `{bin, version}`; installs Debian's coturn when no turnserver is found and apt is usable. */
export async function ensureCoturn({ log = console.log } = {}) {
  const candidates = [process.env.TURNSERVER_BIN, DEBIAN_BIN].filter(Boolean);
  for (const bin of candidates) {
    if (await isExecutable(bin)) {
      const version = await versionOf(bin);
      if (version) return { bin, version };
    }
  }
  if (process.env.TURNSERVER_BIN) {
    throw new Error(`TURNSERVER_BIN=${process.env.TURNSERVER_BIN} does not run`);
  }
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const sudo = asRoot ? [] : ["sudo", "-n"];
  const apt = async (...args) => {
    const [cmd, ...rest] = [...sudo, "apt-get", ...args];
    await run(cmd, rest, {
      timeout: 15 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  };
  log("installing Debian's coturn with apt-get (first run only)...");
  try {
    await apt("update");
    await apt("install", "-y", "--no-install-recommends", "coturn");
  } catch (error) {
    throw new Error(
      `coturn is needed for the call tests and could not be installed with apt-get (${error.message.split("\n")[0]}); install Debian's coturn or set TURNSERVER_BIN`,
    );
  }
  const version = await versionOf(DEBIAN_BIN);
  if (!version) throw new Error(`${DEBIAN_BIN} was installed but does not run`);
  return { bin: DEBIAN_BIN, version };
}
