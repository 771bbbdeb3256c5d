// Finds or installs the Chromium the browser tests drive (through playwright-core).
//
// Order: $CHROMIUM_BIN; /usr/bin/chromium; else Debian's `chromium` package via
// apt-get (the CI machine is fresh each run and has apt but no browser). No
// browser is downloaded from anywhere else: Debian's build is the one the design
// names, and playwright's own download hosts are not reachable here.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);
const DEBIAN_BIN = "/usr/bin/chromium";

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function versionOf(bin) {
  try {
    const { stdout } = await run(bin, ["--version"], { timeout: 30_000 });
    return /(\d+\.\d+\.\d+\.\d+)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/** Resolves `{bin, version}`; installs Debian's chromium when none is found and apt is usable. */
export async function ensureChromium({ log = console.log } = {}) {
  const candidates = [process.env.CHROMIUM_BIN, DEBIAN_BIN].filter(Boolean);
  for (const bin of candidates) {
    if (await isExecutable(bin)) {
      const version = await versionOf(bin);
      if (version) return { bin, version };
    }
  }
  if (process.env.CHROMIUM_BIN) {
    throw new Error(`CHROMIUM_BIN=${process.env.CHROMIUM_BIN} does not run`);
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
  log("installing Debian's chromium with apt-get (first run only)...");
  try {
    await apt("update");
    await apt("install", "-y", "--no-install-recommends", "chromium", "fonts-dejavu-core");
  } catch (error) {
    throw new Error(
      `Chromium is needed for the browser tests and could not be installed with apt-get (${error.message.split("\n")[0]}); install Debian's chromium or set CHROMIUM_BIN`,
    );
  }
  const version = await versionOf(DEBIAN_BIN);
  if (!version) throw new Error(`${DEBIAN_BIN} was installed but does not run`);
  return { bin: DEBIAN_BIN, version };
}
