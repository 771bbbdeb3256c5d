/**
 * `parley-gateway --workers 2` on the MongoDB store (FerretDB through the
 * harness): the built binary on a real port with a real nats-server. Both
 * worker processes answer HTTP sessions and NATS RPCs (told apart by the
 * `worker` field of their debug log lines); a worker killed with SIGKILL is
 * started again while messages keep flowing through the other; SIGTERM drains
 * every worker and the supervisor exits 0. On the embedded store more than one
 * worker is refused with exit code 2 and a message saying why.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type MongoForTests, mongoForTests } from "./harness/ferretdb.js";
import { DEFAULT_TEST_ORIGIN, type NatsHarness, startNats } from "./harness/nats.js";
import { plainFetch } from "./harness/plain-fetch.js";
import { freePort } from "./harness/ports.js";
import { waitFor } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const SHOP = "shop_workers";
const SECRET = "workers-shop-secret-0123456789abcdefghij";
const AGENT = { login: "wu@workers.test", password: "workers agent password" };

interface LogLine {
  msg?: string;
  worker?: number;
  role?: string;
  pid?: number;
  route?: string;
  url?: string;
  op?: string;
  code?: number | null;
  signal?: string | null;
}

/** A new TCP connection per session call (plain-fetch.ts): a pooled one would keep every call on one worker. */
const freshFetch = plainFetch();

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("parley-gateway --workers 2 on the MongoDB store", () => {
  let nats: NatsHarness;
  let mongo: MongoForTests;
  let dir: string;
  let port: number;
  let metricsPort: number;
  let gateway: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;
  let output = "";
  const lines: LogLine[] = [];
  const clients: ParleyClient[] = [];

  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH,
    PARLEY_HOST: "127.0.0.1",
    PARLEY_PORT: String(port),
    NATS_URL: nats.url,
    NATS_WS_URL: nats.wsUrl,
    NATS_AUTH_FILE: join(dir, "nats-auth.json"),
    PARLEY_DATA_DIR: join(dir, "data"),
    PARLEY_SESSION_SECRET: "workers-session-secret-0123456789abcdefgh",
    PARLEY_SHOPS_FILE: join(dir, "shops.json"),
    PARLEY_SEND_RATE: "100000",
    PARLEY_LOG_LEVEL: "debug",
    ...extra,
  });

  /** Runs the binary; resolves with its exit code once it ends. */
  const run = (
    args: string[],
    extra: Record<string, string>,
  ): { child: ChildProcess; exit: Promise<number | null> } => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: env(extra), stdio: ["ignore", "pipe", "pipe"] });
    let buffered = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d;
      buffered += d;
      const parts = buffered.split("\n");
      buffered = parts.pop() ?? "";
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part) as LogLine);
        } catch {
          // not a log line
        }
      }
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d;
    });
    return { child, exit: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
  };

  const listening = (worker: number) =>
    lines.filter((l) => l.role === "supervisor" && l.msg === "worker listening" && l.worker === worker);

  const client = async (auth: Parameters<typeof createClient>[0]["auth"]): Promise<ParleyClient> => {
    const c = createClient({
      gatewayUrl: `http://127.0.0.1:${port}`,
      auth,
      fetch: freshFetch,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      origin: DEFAULT_TEST_ORIGIN,
      encryption: false,
      requestTimeout: 2000,
    });
    await c.connect();
    clients.push(c);
    return c;
  };
  const customer = (id: string) =>
    client({
      kind: "customer",
      shopId: SHOP,
      getToken: () => signCustomerToken({ shopId: SHOP, key: { alg: "HS256", secret: SECRET }, customer: { id } }),
    });

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    dir = await mkdtemp(join(tmpdir(), "parley-workers-"));
    nats = await startNats();
    mongo = await mongoForTests();
    port = await freePort();
    metricsPort = await freePort();
    const { appAccountPub, appSigningSeed, gatewaySystemJwt, gatewaySystemSeed } = nats.auth;
    await writeFile(
      join(dir, "nats-auth.json"),
      JSON.stringify({ appAccountPub, appSigningSeed, gatewaySystemJwt, gatewaySystemSeed }),
    );
    await writeFile(
      join(dir, "shops.json"),
      JSON.stringify({
        shops: [
          {
            id: SHOP,
            name: "Workers Shop",
            tokenKey: { alg: "HS256", secret: SECRET },
            agents: [{ ...AGENT, displayName: "Wu" }],
          },
        ],
      }),
    );
    const started = run(["--workers", "2"], {
      MONGODB_URI: mongo.uri,
      MONGODB_DB: mongo.dbName,
      PARLEY_METRICS_PORT: String(metricsPort),
    });
    gateway = started.child;
    exited = started.exit;
    await waitFor(
      () => listening(1).length > 0 && listening(2).length > 0,
      `both workers to listen (output so far: ${output.slice(-800)})`,
      30_000,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    gateway?.kill("SIGKILL");
    // Workers left by a failed test: only processes that are still this gateway's children.
    for (const l of lines)
      if (l.msg === "worker listening" && l.pid && parentOf(l.pid) === gateway?.pid) process.kill(l.pid, "SIGKILL");
    await nats?.stop();
    await mongo?.[Symbol.asyncDispose]();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers HTTP sessions and NATS RPCs from both worker processes", async () => {
    const pids = new Set([listening(1)[0]?.pid, listening(2)[0]?.pid]);
    expect(pids.size).toBe(2);
    expect(pids.has(gateway?.pid)).toBe(false);
    const agent = await client({ kind: "agent", shopId: SHOP, ...AGENT });
    const received = new Set<string>();
    agent.on("message", ({ message }) => received.add(message.msgId));
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) {
      const c = await customer(`c${i}`);
      const convId = (await c.openConversation()).id;
      for (let j = 0; j < 5; j++) sent.push((await c.send(convId, `hello ${i}.${j}`)).msgId);
    }
    await waitFor(() => sent.every((id) => received.has(id)), "the agent to receive every message");
    const answered = (msg: string, worker: number) =>
      lines.filter(
        (l) => l.msg === msg && l.worker === worker && (msg !== "http request" || l.route?.startsWith("/v1/session")),
      );
    for (const worker of [1, 2]) {
      expect(answered("http request", worker).length, `sessions on worker ${worker}`).toBeGreaterThan(0);
      expect(answered("nats request", worker).length, `RPCs on worker ${worker}`).toBeGreaterThan(0);
    }
    // Worker 1 alone loaded the shops file.
    expect(lines.filter((l) => l.msg === "shops loaded").map((l) => l.worker)).toEqual([1]);
  });

  it("serves each worker's own /metrics on PARLEY_METRICS_PORT + n - 1", async () => {
    const urls = [1, 2].map((w) => lines.find((l) => l.msg === "metrics listening" && l.worker === w)?.url);
    expect(urls).toEqual([`http://127.0.0.1:${metricsPort}/metrics`, `http://127.0.0.1:${metricsPort + 1}/metrics`]);
    for (const url of urls) {
      const res = await fetch(url as string);
      expect(res.status, url).toBe(200);
      expect(await res.text(), url).toContain("parley_rpc_in_flight");
    }
  });

  it("keeps messages flowing when a worker is killed with SIGKILL, and starts it again", async () => {
    const victim = listening(2).at(-1)?.pid as number;
    const agent = await client({ kind: "agent", shopId: SHOP, ...AGENT });
    const received = new Set<string>();
    agent.on("message", ({ message }) => received.add(message.msgId));
    const c = await customer("during-kill");
    const convId = (await c.openConversation()).id;
    const sends: Promise<string>[] = [];
    for (let i = 0; i < 60; i++) {
      if (i === 20) process.kill(victim, "SIGKILL");
      sends.push(c.send(convId, `m${i}`).then((m) => m.msgId));
      await new Promise((r) => setTimeout(r, 10));
    }
    const sent = await Promise.all(sends);
    await waitFor(() => sent.every((id) => received.has(id)), "the agent to receive all 60 messages");
    expect(alive(victim)).toBe(false);
    const exitLine = lines.find((l) => l.role === "supervisor" && l.msg === "worker exited" && l.worker === 2);
    expect(exitLine?.signal).toBe("SIGKILL");
    const back = await waitFor(
      () => listening(2).find((l) => l.pid !== victim),
      `worker 2 to come back (output so far: ${output.slice(-800)})`,
      30_000,
    );
    expect(alive(back.pid as number)).toBe(true);
    // The new worker 2 answers RPCs again: new customers' calls reach it among others.
    const before = lines.length;
    for (let i = 0; i < 4; i++) {
      const late = await customer(`after-restart-${i}`);
      const id = (await late.openConversation()).id;
      for (let j = 0; j < 5; j++) await late.send(id, `late ${j}`);
    }
    expect(lines.slice(before).some((l) => l.msg === "nats request" && l.worker === 2)).toBe(true);
  });

  it("drains every worker on SIGTERM and exits 0", async () => {
    const workers = [listening(1).at(-1)?.pid as number, listening(2).at(-1)?.pid as number];
    expect(workers.every(alive)).toBe(true);
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    gateway?.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
    expect(
      lines
        .filter((l) => l.msg === "gateway stopped")
        .map((l) => l.worker)
        .sort(),
    ).toEqual([1, 2]);
  });

  it("refuses --workers 2 and PARLEY_WORKERS=2 on the embedded store with exit code 2", async () => {
    for (const [args, extra] of [
      [["--workers", "2"], {}],
      [[], { PARLEY_WORKERS: "2" }],
    ] as const) {
      output = "";
      const { exit } = run([...args], { ...extra });
      expect(await exit).toBe(2);
      expect(output).toContain("the embedded SQLite store allows one gateway process");
      expect(output).toContain("MONGODB_URI");
    }
  });
});
