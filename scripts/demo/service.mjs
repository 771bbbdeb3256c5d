// The demo's child processes: one-off commands (npm ci, the builds) and the
// long-running services (nats-server, the gateway, the storefront, the bot),
// whose output goes line-prefixed to a log file. Only node: builtins.
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { DemoError, demo, LOG_TAIL_LINES, ROOT, STOP_GRACE_MS, sleep } from "./common.mjs";

/** Runs a command to completion; resolves its exit code. Output goes to `out` (a stream) or the terminal. */
export function runCommand(cmd, args, { env = process.env, out } = {}) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: out ? ["ignore", "pipe", "pipe"] : "inherit" });
    if (out) {
      child.stdout.pipe(out, { end: false });
      child.stderr.pipe(out, { end: false });
    }
    child.once("error", reject);
    child.once("close", (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

/** A long-running child whose output goes, line-prefixed, to a log file; the last lines are kept for errors. */
export class Service {
  #tail = [];
  #partial = "";
  exitCode = undefined;
  /** Resolves when the child has exited. */
  exited;

  constructor(name, cmd, args, { env, logFile }) {
    this.name = name;
    this.logFile = logFile;
    this.log = createWriteStream(logFile, { flags: "a", mode: 0o600 });
    this.log.write(`--- ${new Date().toISOString()} starting ${name}: ${cmd} ${args.join(" ")}\n`);
    // Own process group: a terminal Ctrl-C reaches only the demo, which then stops
    // the children in order (gateway first, then nats-server).
    this.child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.pid = this.child.pid;
    this.child.stdout.on("data", (chunk) => this.#write(chunk));
    this.child.stderr.on("data", (chunk) => this.#write(chunk));
    this.exited = new Promise((resolveExit) => {
      this.child.once("error", (err) => {
        this.#write(Buffer.from(`spawn failed: ${err.message}\n`));
        this.exitCode ??= -1;
        resolveExit();
      });
      this.child.once("exit", (code, signal) => {
        this.exitCode = code ?? signal;
        this.log.write(`--- ${name} exited (${this.exitCode})\n`);
        resolveExit();
      });
    });
  }

  #write(chunk) {
    const text = this.#partial + chunk.toString("utf8");
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) {
      this.log.write(`[${this.name}] ${line}\n`);
      this.#tail.push(line);
      if (this.#tail.length > LOG_TAIL_LINES) this.#tail.shift();
    }
  }

  get running() {
    return this.exitCode === undefined;
  }

  tail() {
    const lines = this.#partial ? [...this.#tail, this.#partial] : this.#tail;
    return lines.map((l) => `    ${l}`).join("\n") || "    (no output)";
  }

  /** SIGTERM, then SIGKILL after the grace period; resolves once it has exited. */
  async stop(graceMs = STOP_GRACE_MS) {
    if (this.running) {
      this.child.kill("SIGTERM");
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise((r) => this.log.end(r));
  }

  /** Polls `check` until it resolves true; throws with the log tail if the child exits or time runs out. */
  async waitUntil(check, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (demo.stopping) throw new DemoError("stopped");
      if (!this.running) {
        throw new DemoError(`${this.name} exited (${this.exitCode}) before ${what}. Last log lines:\n${this.tail()}`);
      }
      if (await check()) return;
      await sleep(100);
    }
    throw new DemoError(`${this.name} not ${what} after ${timeoutMs} ms. Last log lines:\n${this.tail()}`);
  }
}
