/**
 * The packed-packages tests' tooling: `npm pack` of the workspace packages
 * into a temp dir, and scratch projects outside the repository that install
 * those tarballs the way a developer installs packages (their own
 * `package.json`, `file:` tarball dependencies, no workspace links), with
 * `npm install` against the registry and the machine's shared npm cache.
 */
import { spawn } from "node:child_process";
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT } from "../harness/demo.js";

/** What a finished command printed. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` to its end; rejects with everything it printed unless it exits 0. */
export function run(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CommandResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolveRun, reject) => {
    // The test runner's NODE_ENV=test (and its own variables) would make Vite build for development.
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => name !== "NODE_ENV" && !name.startsWith("VITEST")),
    );
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      if (code === 0) resolveRun(result);
      else reject(new Error(`${command} ${args.join(" ")} in ${options.cwd} exited ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

/** The tarball of each packed workspace package, by package name. */
export type Tarballs = Record<string, string>;

/** `npm pack` of `workspaces` (folders under the root) into `dir`; the tarballs by package name. */
export async function packWorkspaces(dir: string, workspaces: string[]): Promise<Tarballs> {
  await mkdir(dir, { recursive: true });
  const args = ["pack", "--json", "--pack-destination", dir, ...workspaces.map((w) => `--workspace=${w}`)];
  const { stdout } = await run("npm", args, { cwd: ROOT });
  const packed = JSON.parse(stdout) as Array<{ name: string; filename: string }>;
  return Object.fromEntries(packed.map((p) => [p.name, join(dir, p.filename)]));
}

/** A scratch project: files to copy or write, and its package.json. */
export interface ScratchProject {
  /** Folders or files copied into the project (`node_modules` and `dist` left out). */
  copy?: Array<{ from: string; to: string }>;
  /** The project's package.json; `@parley/*` dependencies are replaced by their tarballs. */
  packageJson: {
    name: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
    [key: string]: unknown;
  };
}

/**
 * Writes the project into `dir`, points every `@parley/*` dependency at its
 * tarball (and overrides every packed package with its tarball, so the
 * packages' dependencies on each other are never fetched from a registry),
 * then runs `npm install`.
 */
export async function installScratch(dir: string, project: ScratchProject, tarballs: Tarballs): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const { from, to } of project.copy ?? []) {
    await cp(from, join(dir, to), {
      recursive: true,
      filter: (source) => !/[\\/](node_modules|dist)([\\/]|$)/.test(source.slice(from.length)),
    });
  }
  const pkg = structuredClone(project.packageJson);
  const overrides: Record<string, string> = {};
  for (const deps of [pkg.dependencies, pkg.devDependencies]) {
    for (const name of Object.keys(deps ?? {})) {
      if (!name.startsWith("@parley/")) continue;
      const tarball = tarballs[name];
      if (!tarball || !deps) throw new Error(`no tarball packed for ${name}`);
      deps[name] = `file:${tarball}`;
    }
  }
  for (const [name, tarball] of Object.entries(tarballs)) overrides[name] = `file:${tarball}`;
  pkg.overrides = overrides;
  await writeFile(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: dir,
    env: { npm_config_nodedir: "/usr" },
    timeoutMs: 600_000,
  });
}

/** A package.json of the repository, parsed. */
export async function readPackageJson(path: string): Promise<ScratchProject["packageJson"]> {
  return JSON.parse(await readFile(path, "utf8")) as ScratchProject["packageJson"];
}

/** The exact version of `name` in the repository's lockfile (the scratch projects pin the same). */
export async function lockedVersion(name: string): Promise<string> {
  const lock = JSON.parse(await readFile(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { version?: string }>;
  };
  const found = Object.entries(lock.packages).find(([path]) => path.endsWith(`node_modules/${name}`));
  if (!found?.[1].version) throw new Error(`${name} is not in package-lock.json`);
  return found[1].version;
}
