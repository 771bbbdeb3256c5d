/**
 * Test harness: a real coturn `turnserver` on 127.0.0.1 (UDP and TCP on one
 * free port, no TLS), checking TURN credentials with the time-limited
 * shared-secret scheme (`--use-auth-secret`) under a random secret, with its
 * user database and pid file in a temp dir. Loopback peers are allowed, as
 * the tests' browser peers live on this machine. Ready once it answers a STUN
 * Binding request over UDP. Verbose logging is on, so the tests can read
 * what coturn itself counted per allocation (`usage()`); it logs usernames,
 * never credentials.
 *
 *   await using turn = await startCoturn();
 *   startStack({ env: { PARLEY_TURN_URLS: turn.turnUrls.join(","), PARLEY_TURN_SECRET: turn.secret } });
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureCoturn } from "../../../scripts/lib/coturn.mjs";
import { freePort } from "./ports.js";

/** The realm the harness's coturn runs under. */
export const TURN_REALM = "parley.test";

/** Options of {@link startCoturn}. */
export interface StartCoturnOptions {
  /** The shared secret. @default 32 random bytes, hex */
  secret?: string;
}

/** One `usage:` or `peer usage:` line coturn logs when an allocation closes (`--verbose`). */
export interface TurnUsage {
  /** `client`: between the browser and coturn; `peer`: between the relay address and the other side. */
  side: "client" | "peer";
  /** The TURN username of the allocation (`<expiry>:<principal id>`). */
  username: string;
  /** Packets and bytes received and sent on that side. */
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
}

/** A running coturn; stop it with `stop()` or `await using`. */
export interface CoturnHarness {
  /** The loopback port it listens on (UDP and TCP). */
  port: number;
  /** Its `static-auth-secret`. */
  secret: string;
  /** `turn:127.0.0.1:<port>?transport=udp` and `...?transport=tcp`. */
  turnUrls: string[];
  /** `stun:127.0.0.1:<port>`. */
  stunUrl: string;
  /** What it printed so far. */
  logs(): string;
  /** The usage lines logged so far: one pair per allocation that closed. */
  usage(): TurnUsage[];
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const STUN_MAGIC = 0x2112a442;
const USAGE_LINE = /(peer )?usage: realm=<[^>]*>, username=<([^>]*)>, rp=(\d+), rb=(\d+), sp=(\d+), sb=(\d+)/g;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether a STUN Binding request to 127.0.0.1:`port` over UDP gets a success answer within `timeoutMs`. */
async function stunAnswers(port: number, timeoutMs: number): Promise<boolean> {
  const socket = createSocket("udp4");
  const request = Buffer.alloc(20);
  request.writeUInt16BE(0x0001, 0); // Binding request
  request.writeUInt16BE(0, 2);
  request.writeUInt32BE(STUN_MAGIC, 4);
  randomBytes(12).copy(request, 8);
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.on("message", (answer) => {
        if (
          answer.length >= 20 &&
          answer.readUInt16BE(0) === 0x0101 &&
          answer.subarray(8, 20).equals(request.subarray(8, 20))
        ) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      socket.on("error", () => undefined);
      socket.send(request, port, "127.0.0.1");
    });
  } finally {
    socket.close();
  }
}

/** Whether UDP `port` on 127.0.0.1 can be bound now. */
async function udpFree(port: number): Promise<boolean> {
  const socket = createSocket("udp4");
  return new Promise<boolean>((resolve) => {
    socket.once("error", () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, "127.0.0.1", () => socket.close(() => resolve(true)));
  });
}

/** A loopback port free for TCP and for UDP (coturn listens on both). */
async function freeTcpAndUdpPort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    if (await udpFree(port)) return port;
  }
  throw new Error("no loopback port free for both TCP and UDP");
}

/** Starts coturn on a free loopback port; see the module comment. */
export async function startCoturn(options: StartCoturnOptions = {}): Promise<CoturnHarness> {
  const { bin } = await ensureCoturn();
  const dir = await mkdtemp(join(tmpdir(), "parley-coturn-"));
  const secret = options.secret ?? randomBytes(32).toString("hex");
  const port = await freeTcpAndUdpPort();
  const args = [
    "-n", // no config file: everything from here
    `--listening-port=${port}`,
    "--listening-ip=127.0.0.1",
    "--relay-ip=127.0.0.1",
    "--allow-loopback-peers",
    "--use-auth-secret",
    `--static-auth-secret=${secret}`,
    `--realm=${TURN_REALM}`,
    "--fingerprint",
    "--no-tls",
    "--no-dtls",
    "--no-cli",
    "--no-rfc5780",
    "--no-software-attribute",
    `--userdb=${join(dir, "turndb")}`,
    `--pidfile=${join(dir, "turnserver.pid")}`,
    "--log-file=stdout",
    "--simple-log",
    "--verbose",
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  let log = "";
  const append = (chunk: Buffer) => {
    log += chunk.toString("utf8");
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code) => {
      exitCode = code;
      process.removeListener("exit", kill);
      resolve();
    });
  });

  const stop = async () => {
    if (exitCode === undefined) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) {
      await stop();
      throw new Error(`turnserver exited (${exitCode}) during start:\n${log}`);
    }
    if (await stunAnswers(port, 200)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver not answering STUN on 127.0.0.1:${port} after ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await sleep(50);
  }

  return {
    port,
    secret,
    turnUrls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    stunUrl: `stun:127.0.0.1:${port}`,
    logs: () => log,
    usage: () =>
      [...log.matchAll(USAGE_LINE)].map((m) => ({
        side: m[1] ? "peer" : "client",
        username: m[2] ?? "",
        packetsReceived: Number(m[3]),
        bytesReceived: Number(m[4]),
        packetsSent: Number(m[5]),
        bytesSent: Number(m[6]),
      })),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
