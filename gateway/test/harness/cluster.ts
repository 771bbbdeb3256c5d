/**
 * A production-shaped Parley cluster on loopback for fault tests: a 3-node
 * nats-server cluster (one trust chain, routes between every node), 3 gateway
 * processes (the built `parley-gateway`) in one queue group behind a TCP
 * balancer, and the store as FerretDB:
 *
 * - `postgresql`: two FerretDB processes on one fresh PostgreSQL database
 *   (`$PARLEY_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432`,
 *   created here and dropped on dispose), behind a balancer;
 * - `sqlite`: one FerretDB process on SQLite files (SQLite is one machine's
 *   files: a second FerretDB on the same files is not a supported layout).
 *
 * Every gateway lists every NATS node (NATS_URL, NATS_WS_URL); the SDK clients
 * reach the gateways through the balancer and NATS through the node list the
 * session answer carries.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type ClientOptions, createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import WebSocket from "ws";
import { type FerretdbProcess, startFerretdb } from "../../../scripts/lib/ferretdb.mjs";
import { type Balancer, startBalancer } from "./balancer.js";
import { type GatewayProcess, gatewayProcess } from "./gateway-process.js";
import { DEFAULT_TEST_ORIGIN, type NatsClusterHarness, startNatsCluster } from "./nats.js";
import { freePorts } from "./ports.js";
import { generousQuotas } from "./stack.js";

const exec = promisify(execFile);

export const CLUSTER_SHOP = "shop_cluster";
const SECRET = "cluster-shop-secret-0123456789abcdefghij";
const AGENT = { login: "ops@cluster.test", password: "cluster agent password" };

export type ClusterStore = "postgresql" | "sqlite";

export interface ClusterOptions {
  store: ClusterStore;
  /** @default 3 */
  gateways?: number;
  /** @default 3 */
  natsNodes?: number;
}

/** One FerretDB process of the cluster, restartable on its port. */
export interface FerretdbNode {
  readonly port: number;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and backend. */
  start(): Promise<void>;
}

export interface ClusterHarness {
  store: ClusterStore;
  nats: NatsClusterHarness;
  gateways: GatewayProcess[];
  ferretdbs: FerretdbNode[];
  /** The balancer in front of the gateways: the SDK's `gatewayUrl`. */
  gatewayUrl: string;
  /** What the gateways use: the balancer in front of the FerretDB process(es). */
  mongo: { uri: string; dbName: string };
  /** An encrypted SDK client for a customer of the cluster's shop (not yet connected). */
  customer(sub: string, extra?: Partial<ClientOptions>): ParleyClient;
  /** An encrypted SDK client for the shop's admin agent (not yet connected). */
  agent(extra?: Partial<ClientOptions>): ParleyClient;
  /** Every gateway's output so far. */
  logs(): string;
  [Symbol.asyncDispose](): Promise<void>;
}

const POSTGRES = process.env.PARLEY_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432";

async function psql(sql: string): Promise<void> {
  await exec("psql", [`${POSTGRES}/postgres`, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], { timeout: 30_000 });
}

function ferretdbNode(
  dir: string,
  port: number,
  postgresqlUrl: string | undefined,
): FerretdbNode & { stop(): Promise<void> } {
  let running: FerretdbProcess | undefined;
  return {
    port,
    async start() {
      if (running) throw new Error("FerretDB already running");
      running = await startFerretdb({ dir, port, ...(postgresqlUrl ? { postgresqlUrl } : {}) });
    },
    async kill() {
      await running?.kill();
      running = undefined;
    },
    async stop() {
      await running?.stop();
      running = undefined;
    },
  };
}

export async function startCluster(options: ClusterOptions): Promise<ClusterHarness> {
  const dir = await mkdtemp(join(tmpdir(), "parley-cluster-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const dispose = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const nats = await startNatsCluster(options.natsNodes ?? 3);
    cleanups.push(() => nats[Symbol.asyncDispose]());

    const dbName = `parley_cluster_${randomBytes(6).toString("hex")}`;
    let postgresqlUrl: string | undefined;
    if (options.store === "postgresql") {
      await psql(`CREATE DATABASE ${dbName}`);
      cleanups.push(() => psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
      postgresqlUrl = `${POSTGRES}/${dbName}`;
    }
    const ferretCount = options.store === "postgresql" ? 2 : 1;
    const ferretPorts = await freePorts(ferretCount);
    const ferretdbs = ferretPorts.map((port, i) => ferretdbNode(join(dir, `ferretdb-${i}`), port, postgresqlUrl));
    for (const node of ferretdbs) {
      cleanups.push(() => node.stop());
      await node.start();
    }
    const storeBalancer: Balancer = await startBalancer(ferretPorts);
    cleanups.push(() => storeBalancer.close());
    const mongo = { uri: `mongodb://127.0.0.1:${storeBalancer.port}/?directConnection=true`, dbName };

    await writeFile(join(dir, "nats-auth.json"), JSON.stringify(nats.auth), { mode: 0o600 });
    await writeFile(
      join(dir, "shops.json"),
      JSON.stringify({
        shops: [
          {
            id: CLUSTER_SHOP,
            name: "Cluster Shop",
            tokenKey: { alg: "HS256", secret: SECRET },
            allowedOrigins: ["https://shop.test"],
            agents: [{ ...AGENT, displayName: "Ops", role: "admin", handle: "ops" }],
          },
        ],
      }),
    );
    const env = {
      NATS_URL: nats.urls.join(","),
      NATS_WS_URL: nats.wsUrls.join(","),
      NATS_AUTH_FILE: join(dir, "nats-auth.json"),
      MONGODB_URI: mongo.uri,
      MONGODB_DB: dbName,
      PARLEY_DATA_DIR: join(dir, "data"),
      PARLEY_SESSION_SECRET: "cluster-session-secret-0123456789abcdefg",
      PARLEY_SHOPS_FILE: join(dir, "shops.json"),
      PARLEY_SEND_RATE: "100000",
      PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: "1000",
      PARLEY_QUOTAS: generousQuotas(),
      PARLEY_LOG_LEVEL: "warn",
    };
    const gatewayPorts = await freePorts(options.gateways ?? 3);
    const gateways = gatewayPorts.map((port) => gatewayProcess(port, env));
    for (const gateway of gateways) {
      cleanups.push(() => gateway.kill());
      await gateway.start();
    }
    const httpBalancer = await startBalancer(gatewayPorts);
    cleanups.push(() => httpBalancer.close());

    const client = (o: Omit<ClientOptions, "gatewayUrl" | "WebSocket">) =>
      createClient({
        gatewayUrl: httpBalancer.url,
        WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
        origin: DEFAULT_TEST_ORIGIN,
        requestTimeout: 3000,
        encryption: true,
        ...o,
      });
    const token = (sub: string) =>
      signCustomerToken({
        shopId: CLUSTER_SHOP,
        key: { alg: "HS256", secret: SECRET },
        customer: { id: sub, name: sub },
      });
    return {
      store: options.store,
      nats,
      gateways,
      ferretdbs,
      gatewayUrl: httpBalancer.url,
      mongo,
      customer: (sub, extra = {}) =>
        client({ auth: { kind: "customer", shopId: CLUSTER_SHOP, getToken: () => token(sub) }, ...extra }),
      agent: (extra = {}) => client({ auth: { kind: "agent", shopId: CLUSTER_SHOP, ...AGENT }, ...extra }),
      logs: () => gateways.map((g, i) => `--- gateway ${i} ---\n${g.logs()}`).join("\n"),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
