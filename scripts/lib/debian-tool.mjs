// Finds a program the tests need, or installs it from Debian's packages: what
// scripts/lib/chromium.mjs and coturn.mjs share. The CI machine is fresh each
// run and has apt; nothing is downloaded from anywhere else.
//
// Order: $<envVar>; the Debian binary; else `apt-get install` of the packages
// (as root, or through `sudo -n`), then the Debian binary again.
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { promisify } from "node:util";

const run = promisify(execFile);

async function isExecutable(path) {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `<bin> --version`, matched by `pattern` (its first group is the version); undefined when it does not run. */
async function versionOf(bin, pattern) {
  try {
    const { stdout } = await run(bin, ["--version"], { timeout: 30_000 });
    return pattern.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Resolves `{bin, version}` of the tool `tool` describes: `name` (for messages), `envVar` (a path
 * that overrides everything), `bin` (Debian's path), `packages` (what apt-get installs), `version`
 * (a RegExp over `--version`'s output) and `purpose` (what needs it, for the error).
 */
export async function ensureDebianTool(tool, { log = console.log } = {}) {
  const override = process.env[tool.envVar];
  for (const bin of [override, tool.bin].filter(Boolean)) {
    if (await isExecutable(bin)) {
      const version = await versionOf(bin, tool.version);
      if (version) return { bin, version };
    }
  }
  if (override) throw new Error(`${tool.envVar}=${override} does not run`);
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
  log(`installing Debian's ${tool.packages[0]} with apt-get (first run only)...`);
  try {
    await apt("update");
    await apt("install", "-y", "--no-install-recommends", ...tool.packages);
  } catch (error) {
    throw new Error(
      `${tool.name} is needed for ${tool.purpose} and could not be installed with apt-get (${error.message.split("\n")[0]}); install Debian's ${tool.packages[0]} or set ${tool.envVar}`,
    );
  }
  const version = await versionOf(tool.bin, tool.version);
  if (!version) throw new Error(`${tool.bin} was installed but does not run`);
  return { bin: tool.bin, version };
}
