/**
 * A hard crash: the built `parley-gateway` binary is killed with SIGKILL while
 * two clients exchange messages (no graceful drain, replies lost in flight), and
 * a new process starts on the same port and data directory. The clients' outboxes
 * resend with the same msgIds: 0 lost, 0 duplicated, seq 1..N in the store.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SqliteStore } from "../src/store/sqlite/store.js";
import { DEFAULT_TEST_ORIGIN, type NatsHarness, startNats } from "./harness/nats.js";
import { freePort } from "./harness/ports.js";
import { waitFor } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const SHOP = "shop_crash";
const SECRET = "crash-shop-secret-0123456789abcdefghijk";
const AGENT = { login: "kim@crash.test", password: "crash agent password" };

describe("the gateway process killed mid-stream", () => {
  let nats: NatsHarness;
  let dir: string;
  let port: number;
  let gateway: ChildProcess | undefined;
  let output = "";

  const start = async () => {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        PARLEY_HOST: "127.0.0.1",
        PARLEY_PORT: String(port),
        NATS_URL: nats.url,
        NATS_WS_URL: nats.wsUrl,
        NATS_AUTH_FILE: join(dir, "nats-auth.json"),
        PARLEY_DATA_DIR: join(dir, "data"),
        PARLEY_SESSION_SECRET: "crash-session-secret-0123456789abcdefgh",
        PARLEY_SHOPS_FILE: join(dir, "shops.json"),
        PARLEY_SEND_RATE: "100000",
        PARLEY_LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => {
      output += d;
    });
    child.stderr?.on("data", (d) => {
      output += d;
    });
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200,
      `the gateway to be ready (output so far: ${output.slice(-500)})`,
      20_000,
    );
    return child;
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    dir = await mkdtemp(join(tmpdir(), "parley-crash-"));
    nats = await startNats();
    port = await freePort();
    await writeFile(
      join(dir, "nats-auth.json"),
      JSON.stringify({ appAccountPub: nats.auth.appAccountPub, appSigningSeed: nats.auth.appSigningSeed }),
    );
    await writeFile(
      join(dir, "shops.json"),
      JSON.stringify({
        shops: [
          {
            id: SHOP,
            name: "Crash Shop",
            tokenKey: { alg: "HS256", secret: SECRET },
            agents: [{ ...AGENT, displayName: "Kim" }],
          },
        ],
      }),
    );
    gateway = await start();
  });
  afterAll(async () => {
    gateway?.kill("SIGKILL");
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const client = async (auth: Parameters<typeof createClient>[0]["auth"]): Promise<ParleyClient> => {
    const c = createClient({
      gatewayUrl: `http://127.0.0.1:${port}`,
      auth,
      WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
      origin: DEFAULT_TEST_ORIGIN,
      encryption: false, // crash recovery of the send path, plaintext envelopes
      requestTimeout: 2000,
    });
    await c.connect();
    return c;
  };

  it("loses and duplicates nothing when the gateway is SIGKILLed mid-stream and restarted (300 messages)", async () => {
    const customer = await client({
      kind: "customer",
      shopId: SHOP,
      getToken: () =>
        signCustomerToken({ shopId: SHOP, key: { alg: "HS256", secret: SECRET }, customer: { id: "c1" } }),
    });
    const agent = await client({ kind: "agent", shopId: SHOP, ...AGENT });
    const convId = (await customer.openConversation()).id;
    await agent.loadConversation(convId);
    const received: string[] = [];
    agent.on("message", ({ message }) => received.push(message.msgId));

    let acked = 0;
    let crashed: Promise<void> | undefined;
    const sends = Array.from({ length: 300 }, (_, i) =>
      customer.send(convId, `m${i}`).then((m) => {
        acked++;
        if (acked === 100) {
          crashed = (async () => {
            gateway?.kill("SIGKILL");
            await new Promise((resolve) => gateway?.once("exit", resolve));
            gateway = await start();
          })();
        }
        return m.msgId;
      }),
    );
    const sent = await Promise.all(sends);
    await crashed;
    expect(crashed).toBeDefined();
    await waitFor(() => new Set(received).size === 300, "the agent to receive all 300", 30_000);
    expect(received.length - new Set(received).size).toBe(0);
    expect(sent.filter((id) => !received.includes(id))).toEqual([]);

    // Read the data the crashed and the new process wrote, through a second connection.
    const store = new SqliteStore({ path: join(dir, "data", "parley.sqlite") });
    await store.init();
    try {
      const stored = await store.since(convId, 0, 1000);
      expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(new Set(stored.map((m) => m.msgId))).toEqual(new Set(sent));
    } finally {
      await store.close();
    }
    await Promise.all([customer.close(), agent.close()]);
  });
});
