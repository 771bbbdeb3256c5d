/**
 * Test harness: a real nats-server (operator mode, WebSocket on loopback) on
 * random ports, with the trust chain and a JwtMinter, so tests exercise the same
 * JWT checks production does. Use with `await using nats = await startNats()`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ConnectionOptions, NatsConnection, WsSocketFactory } from "@nats-io/nats-core";
import { jwtAuthenticator, wsconnect } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import WebSocket from "ws";
import { ensureNatsServer } from "../../../scripts/lib/nats-server.mjs";
import {
  type AppAccountLimitOptions,
  generateNatsAuth,
  type NatsAuth,
  renderServerConfig,
} from "../../src/nats/accounts.js";
import { JwtMinter } from "../../src/nats/minter.js";
import { withDualTransport } from "./dual-transport.js";
import { freePorts } from "./ports.js";

/** Origin the harness allows by default and sends from {@link NatsHarness.wsConnect}. */
export const DEFAULT_TEST_ORIGIN = "https://chat.parley.test";

export interface StartNatsOptions {
  /** @default [DEFAULT_TEST_ORIGIN] */
  allowedOrigins?: string[];
  /** Server debug logging (shows why an authorization failed). @default false */
  debug?: boolean;
  /** Limits of the app account (e.g. a small `connections` to test what happens when it is full). @default the production ones */
  accountLimits?: AppAccountLimitOptions;
}

export interface WsConnectOptions extends Omit<ConnectionOptions, "servers" | "authenticator"> {
  /** Origin header sent on the upgrade; `null` sends none. @default the first allowed origin */
  origin?: string | null;
  /** Seed that signs the server nonce (non-bearer JWTs, such as a bot's). @default none: bearer */
  seed?: Uint8Array;
}

export interface NatsHarness {
  auth: NatsAuth;
  /** `nats://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<wsPort>` */
  wsUrl: string;
  /** `http://127.0.0.1:<httpPort>` (monitoring: /healthz, /varz, /connz) */
  monitorUrl: string;
  minter: JwtMinter;
  /** A TCP connection as the gateway's service user (non-bearer, nkey-signed). */
  serviceConnection(opts?: Omit<ConnectionOptions, "servers" | "authenticator">): Promise<NatsConnection>;
  /**
   * A WebSocket connection (nats-core `wsconnect` over the `ws` package) with a
   * bearer JWT, or a function returning the current JWT (the refresh pattern).
   */
  wsConnect(jwt: string | (() => string), opts?: WsConnectOptions): Promise<NatsConnection>;
  stop(): Promise<void>;
  /** Kills the server and starts it again on the same ports with the same config. */
  restart(): Promise<void>;
  /** Server stdout and stderr so far (across restarts). */
  logs(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** Children still running, killed if the test process exits without disposing. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface NodePorts {
  port: number;
  wsPort: number;
  httpPort: number;
  clusterPort?: number;
}

/** One nats-server process with a fixed config file; start/stop/restart on the same ports. */
class NatsNode {
  #child: ChildProcess | undefined;
  #log = "";
  #exited: Promise<void> = Promise.resolve();

  constructor(
    readonly bin: string,
    readonly configFile: string,
    readonly ports: NodePorts,
  ) {}

  logs(): string {
    return this.#log;
  }

  get monitorUrl(): string {
    return `http://127.0.0.1:${this.ports.httpPort}`;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error("nats-server already running");
    const child = spawn(this.bin, ["-c", this.configFile], { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    trackChild(child);
    const append = (chunk: Buffer) => {
      this.#log += chunk.toString("utf8");
    };
    child.stdout?.on("data", append);
    child.stderr?.on("data", append);
    let exitCode: number | null | undefined;
    this.#exited = new Promise((resolve) => {
      child.once("exit", (code) => {
        exitCode = code;
        if (this.#child === child) this.#child = undefined;
        resolve();
      });
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exitCode !== undefined) throw new Error(`nats-server exited (${exitCode}) during start:\n${this.#log}`);
      try {
        const res = await fetch(`${this.monitorUrl}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    await this.stop();
    throw new Error(`nats-server not ready after ${READY_TIMEOUT_MS} ms:\n${this.#log}`);
  }

  /** Abrupt kill (no lame-duck); resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill("SIGKILL");
    await this.#exited;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** Abrupt kill (no lame-duck), then start again on the same ports. */
  async restart(): Promise<void> {
    const child = this.#child;
    if (child) {
      child.kill("SIGKILL");
      await this.#exited;
    }
    // The OS may hold the listening ports for a moment; retry until they bind.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.start();
        return;
      } catch (err) {
        if (attempt >= 20 || !/address already in use/i.test(String(err))) throw err;
        await sleep(100);
      }
    }
  }
}

function wsFactoryFor(origin: string | null): WsSocketFactory {
  return async (url) => {
    const socket = new WebSocket(url, origin === null ? {} : { origin });
    // `ws` implements the W3C WebSocket surface nats-core uses (onopen, onmessage,
    // onclose, onerror, binaryType, send, close).
    return { socket: socket as unknown as globalThis.WebSocket, encrypted: url.startsWith("wss:") };
  };
}

interface ClientApiOptions {
  minter: JwtMinter;
  urls: string[];
  wsUrls: string[];
  origins: string[];
}

/** Connection helpers for running node(s). */
function clientApi({ minter, urls, wsUrls, origins }: ClientApiOptions) {
  const defaultOrigin = origins[0] ?? null;
  return {
    async serviceConnection(opts: Omit<ConnectionOptions, "servers" | "authenticator"> = {}) {
      const { jwt, seed } = await minter.mintService({ name: "gateway-test" });
      return connect({
        name: "gateway-test",
        ...opts,
        servers: urls,
        authenticator: jwtAuthenticator(jwt, new TextEncoder().encode(seed)),
      });
    },
    wsConnect(jwt: string | (() => string), opts: WsConnectOptions = {}) {
      const { origin = defaultOrigin, seed, ...rest } = opts;
      return withDualTransport(() =>
        wsconnect({
          // The harness lists every WebSocket URL itself; gossiped host:port URLs carry no scheme.
          ignoreClusterUpdates: true,
          ...rest,
          servers: wsUrls,
          authenticator: seed ? jwtAuthenticator(jwt, seed) : jwtAuthenticator(jwt),
          wsFactory: wsFactoryFor(origin),
        }),
      );
    },
  };
}

async function startWithPortRetry<T>(make: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await make();
    } catch (err) {
      // Another process took a port between freePorts() and the bind: new ports.
      if (attempt >= 3 || !/address already in use/i.test(String(err))) throw err;
    }
  }
}

/** Starts one nats-server with a fresh trust chain on random loopback ports. */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsHarness> {
  const { bin } = await ensureNatsServer();
  const auth = await generateNatsAuth(opts.accountLimits);
  const minter = new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: auth.appSigningSeed });
  const allowedOrigins = opts.allowedOrigins ?? [DEFAULT_TEST_ORIGIN];
  const dir = await mkdtemp(join(tmpdir(), "parley-nats-"));
  try {
    const node = await startWithPortRetry(async () => {
      const [port, wsPort, httpPort] = (await freePorts(3)) as [number, number, number];
      const configFile = join(dir, "nats.conf");
      const config = renderServerConfig({
        auth,
        host: "127.0.0.1",
        port,
        wsPort,
        httpPort,
        allowedOrigins,
        debug: opts.debug ?? false,
      });
      await writeFile(configFile, config, { mode: 0o600 });
      const n = new NatsNode(bin, configFile, { port, wsPort, httpPort });
      await n.start();
      return n;
    });
    const url = `nats://127.0.0.1:${node.ports.port}`;
    const wsUrl = `ws://127.0.0.1:${node.ports.wsPort}`;
    let disposed = false;
    const dispose = async () => {
      if (disposed) return;
      disposed = true;
      await node.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return {
      auth,
      url,
      wsUrl,
      monitorUrl: node.monitorUrl,
      minter,
      ...clientApi({ minter, urls: [url], wsUrls: [wsUrl], origins: allowedOrigins }),
      stop: () => node.stop(),
      restart: () => node.restart(),
      logs: () => node.logs(),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface NatsClusterHarness {
  auth: NatsAuth;
  minter: JwtMinter;
  /** One entry per node. */
  nodes: {
    url: string;
    wsUrl: string;
    monitorUrl: string;
    /** Connects to this node only. */
    serviceConnection: NatsHarness["serviceConnection"];
    /** Connects to this node only. */
    wsConnect: NatsHarness["wsConnect"];
    stop(): Promise<void>;
    /** SIGKILL (a crash); `restart()` brings it back on the same ports. */
    kill(): Promise<void>;
    restart(): Promise<void>;
  }[];
  urls: string[];
  wsUrls: string[];
  serviceConnection: NatsHarness["serviceConnection"];
  wsConnect: NatsHarness["wsConnect"];
  logs(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an `n`-node nats-server cluster on loopback sharing one trust chain; resolves once every route is up. */
export async function startNatsCluster(n = 3, opts: StartNatsOptions = {}): Promise<NatsClusterHarness> {
  const { bin } = await ensureNatsServer();
  const auth = await generateNatsAuth(opts.accountLimits);
  const minter = new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: auth.appSigningSeed });
  const allowedOrigins = opts.allowedOrigins ?? [DEFAULT_TEST_ORIGIN];
  const dir = await mkdtemp(join(tmpdir(), "parley-nats-cluster-"));
  const nodes: NatsNode[] = [];
  const stopAll = () => Promise.all(nodes.map((node) => node.stop()));
  try {
    await startWithPortRetry(async () => {
      await stopAll();
      nodes.length = 0;
      const ports = await freePorts(4 * n);
      const all: NodePorts[] = [];
      for (let i = 0; i < n; i++) {
        const [port, wsPort, httpPort, clusterPort] = ports.slice(4 * i, 4 * i + 4) as [number, number, number, number];
        all.push({ port, wsPort, httpPort, clusterPort });
      }
      for (const [i, p] of all.entries()) {
        const configFile = join(dir, `nats-${i}.conf`);
        const routes = all.filter((o) => o !== p).map((o) => `nats-route://127.0.0.1:${o.clusterPort}`);
        const config = renderServerConfig({
          auth,
          host: "127.0.0.1",
          port: p.port,
          wsPort: p.wsPort,
          httpPort: p.httpPort,
          allowedOrigins,
          debug: opts.debug ?? false,
          serverName: `parley-${i}`,
          cluster: { name: "parley-test", port: p.clusterPort ?? 0, routes },
        });
        await writeFile(configFile, config, { mode: 0o600 });
        nodes.push(new NatsNode(bin, configFile, p));
      }
      await Promise.all(nodes.map((node) => node.start()));
    });
    await waitForRoutes(nodes, n - 1);
  } catch (err) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const urls = nodes.map((node) => `nats://127.0.0.1:${node.ports.port}`);
  const wsUrls = nodes.map((node) => `ws://127.0.0.1:${node.ports.wsPort}`);
  let disposed = false;
  return {
    auth,
    minter,
    nodes: nodes.map((node, i) => ({
      url: urls[i] ?? "",
      wsUrl: wsUrls[i] ?? "",
      monitorUrl: node.monitorUrl,
      ...clientApi({ minter, urls: [urls[i] ?? ""], wsUrls: [wsUrls[i] ?? ""], origins: allowedOrigins }),
      stop: () => node.stop(),
      kill: () => node.kill(),
      restart: () => node.restart(),
    })),
    urls,
    wsUrls,
    ...clientApi({ minter, urls, wsUrls, origins: allowedOrigins }),
    logs: () => nodes.map((node, i) => `--- node ${i} ---\n${node.logs()}`).join("\n"),
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await stopAll();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForRoutes(nodes: NatsNode[], expected: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const counts = await Promise.all(
      nodes.map(async (node) => {
        try {
          const res = await fetch(`${node.monitorUrl}/routez`);
          const body = (await res.json()) as { num_routes?: number; routes?: { remote_name?: string }[] };
          // Routes may be pooled (several per peer): count distinct peers.
          return new Set((body.routes ?? []).map((r) => r.remote_name)).size;
        } catch {
          return 0;
        }
      }),
    );
    if (counts.every((c) => c >= expected)) return;
    await sleep(100);
  }
  throw new Error(`nats cluster routes not up after ${READY_TIMEOUT_MS} ms`);
}
