/**
 * Server-side processes of the benchmark, one role per process so the load
 * generator (main.ts) never shares a thread with what it measures:
 * - `gateway`: a real gateway (createGateway) with the shop and agent seeded;
 * - `responder`: a NATS responder that does nothing (request/reply baseline);
 * - `http`: a no-op Express POST route (HTTP baseline);
 * - `senders`: a group of customer SDK clients (senders.ts), part of the load
 *   generator, driven by `senders:*` commands.
 * Options come as JSON in BENCH_CHILD; the child prints `READY {json}` once
 * serving. Stdin commands, one per line as `<command> [argument]`: `prof:start`,
 * `prof:stop <file>` (CPU profile of this process through the inspector), and
 * the role's own (the gateway's `store:writer-stats`: the embedded store's batches and appends
 * so far); each answered by `DONE {json}`. SIGTERM stops it gracefully.
 */
import { writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { Session } from "node:inspector/promises";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { jwtAuthenticator } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import express from "express";
import { loadConfig } from "../src/config.js";
import { createGateway } from "../src/gateway.js";
import { createLogger } from "../src/logger.js";
import { JwtMinter } from "../src/nats/minter.js";
import { useAddressesFrom } from "./clients.js";
import { SenderGroup } from "./senders.js";

export interface GatewayChildOptions {
  role: "gateway";
  natsUrl: string;
  natsWsUrl: string;
  accountPub: string;
  signingSeed: string;
  dataDir: string;
  mongo?: { uri: string; dbName: string };
  shop: { id: string; secret: string; origins: string[] };
  agent: { login: string; password: string };
  /** The gateways' system-account user: with it the gateway watches connections (and presence follows them). */
  systemUser?: { jwt: string; seed: string };
}
export interface ResponderChildOptions {
  role: "responder";
  natsUrl: string;
  accountPub: string;
  signingSeed: string;
  subject: string;
}
export interface HttpChildOptions {
  role: "http";
}
export interface SendersChildOptions {
  role: "senders";
  gatewayUrl: string;
  /** Names this group's customers apart from other groups'. */
  name: string;
  /** First loopback source address number for this group's sessions (see clients.ts). */
  addressBase: number;
}
export type ChildOptions = GatewayChildOptions | ResponderChildOptions | HttpChildOptions | SendersChildOptions;

/** A role's stop function and its stdin commands (argument: the rest of the line). */
interface Role {
  stop: () => Promise<void>;
  commands?: Record<string, (arg: string) => Promise<unknown>>;
}

const say = (tag: string, value: unknown) => process.stdout.write(`${tag} ${JSON.stringify(value)}\n`);

async function startGateway(o: GatewayChildOptions): Promise<Role> {
  const config = loadConfig({
    PARLEY_HOST: "127.0.0.1",
    PARLEY_PORT: "0",
    NATS_URL: o.natsUrl,
    NATS_WS_URL: o.natsWsUrl,
    NATS_AUTH_FILE: "unused",
    PARLEY_DATA_DIR: o.dataDir,
    PARLEY_SESSION_SECRET: "bench-session-secret-0123456789abcdefghij",
    PARLEY_JWT_TTL: "600",
    PARLEY_LOG_LEVEL: "warn",
    // The per-principal send limit (default 50/s) would cap each sender; the benchmark measures capacity.
    PARLEY_SEND_RATE: "1000000",
    ...(o.mongo ? { MONGODB_URI: o.mongo.uri, MONGODB_DB: o.mongo.dbName } : {}),
  });
  const gateway = await createGateway({
    config,
    natsAccount: { accountPub: o.accountPub, signingSeed: o.signingSeed },
    ...(o.systemUser ? { natsSystemUser: o.systemUser } : {}),
    logger: createLogger("warn", process.stderr),
  });
  await gateway.start();
  await gateway.admin.putShop(o.shop.id, {
    name: "Bench Shop",
    tokenKey: { alg: "HS256", secret: o.shop.secret },
    allowedOrigins: o.shop.origins,
    allowGuests: false,
  });
  await gateway.admin.addAgent(o.shop.id, {
    login: o.agent.login,
    password: o.agent.password,
    displayName: "Bench Agent",
    role: "admin",
    kind: "agent",
  });
  say("READY", { url: gateway.url, store: gateway.store.kind });
  // The embedded store's group commit so far (SqliteStore.writerStats); null on another store.
  const writerStats = () =>
    (gateway.store as { writerStats?: { batches: number; appends: number } }).writerStats ?? null;
  return { stop: () => gateway.stop(), commands: { "store:writer-stats": async () => writerStats() } };
}

async function startResponder(o: ResponderChildOptions): Promise<Role> {
  const minter = new JwtMinter({ accountPub: o.accountPub, signingSeed: o.signingSeed });
  const { jwt, seed } = await minter.mintService({ name: "bench-responder" });
  const nc = await connect({
    servers: o.natsUrl,
    authenticator: jwtAuthenticator(jwt, new TextEncoder().encode(seed)),
  });
  const empty = new Uint8Array(0);
  nc.subscribe(o.subject, {
    queue: "bench",
    callback: (_err, msg) => {
      msg.respond(empty);
    },
  });
  await nc.flush();
  say("READY", {});
  return {
    stop: async () => {
      await nc.drain().catch(() => undefined);
    },
  };
}

async function startHttp(): Promise<Role> {
  const app = express();
  app.disable("x-powered-by");
  app.use(express.json({ limit: "100kb" }));
  app.post("/noop", (_req, res) => {
    res.json({ ok: true });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  say("READY", { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function startSenders(o: SendersChildOptions): Promise<Role> {
  useAddressesFrom(o.addressBase);
  const group = new SenderGroup(o.gatewayUrl, o.name);
  const json = <T>(arg: string) => JSON.parse(arg) as T;
  say("READY", {});
  return {
    stop: () => group.close(),
    commands: {
      "senders:add": (arg) => group.add(Number(arg)),
      "senders:replace": (arg) => group.replace(Number(arg)),
      "senders:warmup": async (arg) => {
        const { count, spread } = json<{ count: number; spread: number }>(arg);
        await group.warmUp(count, spread);
      },
      "senders:closed-loop": async (arg) => {
        const { ms, max } = json<{ ms: number; max: number }>(arg);
        await group.closedLoop(ms, max);
      },
      "senders:open-loop": async (arg) => {
        const o = json<{ rate: number; ms: number; startAt: number; slot: { index: number; of: number } }>(arg);
        await group.openLoop(o.rate, o.ms, o.startAt, o.slot);
      },
      "senders:report": async () => group.report(),
      "senders:close": () => group.close(),
    },
  };
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_CHILD ?? "{}") as ChildOptions;
  const role =
    options.role === "gateway"
      ? await startGateway(options)
      : options.role === "responder"
        ? await startResponder(options)
        : options.role === "senders"
          ? await startSenders(options)
          : await startHttp();
  const stop = role.stop;

  const inspector = new Session();
  inspector.connect();
  createInterface({ input: process.stdin }).on("line", (line) => {
    const space = line.indexOf(" ");
    const cmd = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? "" : line.slice(space + 1);
    void (async () => {
      const own = role.commands?.[cmd];
      if (own) {
        try {
          say("DONE", { result: (await own(arg)) ?? null });
        } catch (err) {
          say("DONE", { error: err instanceof Error ? err.message : String(err) });
        }
      } else if (cmd === "prof:start") {
        await inspector.post("Profiler.enable");
        await inspector.post("Profiler.setSamplingInterval", { interval: 500 });
        await inspector.post("Profiler.start");
        say("DONE", {});
      } else if (cmd === "prof:stop" && arg) {
        const { profile } = await inspector.post("Profiler.stop");
        await writeFile(arg, JSON.stringify(profile));
        say("DONE", { file: arg });
      } else {
        say("DONE", { error: `unknown command ${cmd}` });
      }
    })();
  });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
