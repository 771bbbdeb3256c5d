/**
 * The operator CLI as an operator runs it: the built `parley-gateway`
 * (gateway/dist/main.js, so `npm run build` first) in a fresh directory. `init`
 * writes the trust chain and configs; the pinned nats-server runs init's
 * config; the gateway runs init's environment; `shop`, `agent` and `bot` set
 * up a shop through the admin API; a customer and an agent then sign in, over
 * HTTP and the NATS WebSocket; `doctor` passes, then names what broke.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { jwtAuthenticator, wsconnect } from "@nats-io/nats-core";
import type { SessionResponse } from "@parley/sdk/protocol";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";
import { freePorts } from "./harness/ports.js";
import { waitFor } from "./helpers.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const DASHBOARD = "https://dashboard.acme.test";
const ADA = { login: "ada@acme.test", password: "ada's long password" };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in `cwd` with a bare environment (nothing of this process's PARLEY_* or NATS_* leaks in). */
function cli(cwd: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, env: { PATH: process.env.PATH }, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? "");
  });
}

/** A long-running child (nats-server, the gateway) with its output kept for failure messages. */
function daemon(cwd: string, bin: string, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(bin, args, { cwd, env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  return { child, output: () => output };
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("parley-gateway: set up and check a deployment with the CLI alone", () => {
  let dir: string;
  let ports: { nats: number; ws: number; gateway: number };
  let gatewayUrl: string;
  let natsBin: string;
  let nats: ReturnType<typeof daemon> | undefined;
  let gateway: ReturnType<typeof daemon> | undefined;
  const envFile = () => join(dir, "deploy", "gateway.env");
  const run = (...args: string[]) => cli(dir, args);
  const admin = (...args: string[]) => cli(dir, [...args, "--env-file", envFile()]);

  const startNats = async () => {
    nats = daemon(dir, natsBin, ["-c", join(dir, "deploy", "nats.conf")]);
    await waitFor(() => portOpen(ports.ws), `nats-server (${nats?.output().slice(-400)})`);
  };

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
    natsBin = (await ensureNatsServer()).bin;
    dir = await mkdtemp(join(tmpdir(), "parley-cli-"));
    const [nats = 0, ws = 0, gw = 0] = await freePorts(3);
    ports = { nats, ws, gateway: gw };
    gatewayUrl = `http://127.0.0.1:${gw}`;
  });

  afterAll(async () => {
    await stopChild(gateway?.child);
    await stopChild(nats?.child);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("init writes the trust chain, the nats-server config and the gateway's environment, owner-only, and refuses to overwrite them", async () => {
    const out = join(dir, "deploy");
    const init = await run(
      "init",
      "--dir",
      out,
      ...["--nats-port", String(ports.nats), "--ws-port", String(ports.ws), "--gateway-port", String(ports.gateway)],
    );
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    const files = ["nats-auth.json", "nats.conf", "gateway.env"];
    for (const file of files) expect((await stat(join(out, file))).mode & 0o777).toBe(0o600);
    const before = await Promise.all(files.map((f) => readFile(join(out, f), "utf8")));
    expect(before[1]).toContain(`allowed_origins: ["${gatewayUrl}"]`);
    expect(before[2]).toContain(`NATS_WS_URL="ws://127.0.0.1:${ports.ws}"`);

    const again = await run("init", "--dir", out);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain("pass --force");
    expect(await Promise.all(files.map((f) => readFile(join(out, f), "utf8")))).toEqual(before);

    // --force rewrites the config with the dashboard's origin and keeps the keys and the secrets.
    const forced = await run(
      "init",
      "--dir",
      out,
      "--force",
      "--origin",
      DASHBOARD,
      ...["--nats-port", String(ports.nats), "--ws-port", String(ports.ws), "--gateway-port", String(ports.gateway)],
    );
    expect(forced.code).toBe(0);
    const after = await Promise.all(files.map((f) => readFile(join(out, f), "utf8")));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toContain(`allowed_origins: ["${gatewayUrl}", "${DASHBOARD}"]`);
    expect(after[2]).toBe(before[2]);

    // --new-keys (with --force) replaces the keys and both secrets.
    const scratch = join(dir, "scratch");
    expect((await run("init", "--dir", scratch)).code).toBe(0);
    const first = await Promise.all(files.map((f) => readFile(join(scratch, f), "utf8")));
    expect((await run("init", "--dir", scratch, "--force", "--new-keys")).code).toBe(0);
    const second = await Promise.all(files.map((f) => readFile(join(scratch, f), "utf8")));
    expect(JSON.parse(second[0] ?? "").appSigningSeed).not.toBe(JSON.parse(first[0] ?? "").appSigningSeed);
    const secretOf = (env: string | undefined) => /^PARLEY_SESSION_SECRET="(.+)"$/m.exec(env ?? "")?.[1];
    expect(secretOf(second[2])).toMatch(/^[\w-]{64}$/);
    expect(secretOf(second[2])).not.toBe(secretOf(first[2]));
  });

  it("registers a shop, an agent and a bot on the running gateway and lists them", async () => {
    await startNats();
    gateway = daemon(dir, process.execPath, [MAIN, "--env-file", envFile()]);
    await waitFor(
      async () => (await fetch(`${gatewayUrl}/readyz`).catch(() => undefined))?.status === 200,
      `the gateway (${gateway?.output().slice(-400)})`,
      20_000,
    );

    const shop = await admin(
      "shop",
      "add",
      "acme",
      "--name",
      "Acme",
      "--origin",
      "https://shop.acme.test",
      "--key-out",
      "acme.jwk",
    );
    expect(shop.stderr).toBe("");
    expect(shop.code).toBe(0);
    expect((await stat(join(dir, "acme.jwk"))).mode & 0o777).toBe(0o600);
    const twice = await admin("shop", "add", "acme", "--name", "Acme", "--key-out", "other.jwk");
    expect(twice.code).toBe(3);
    expect(existsSync(join(dir, "other.jwk"))).toBe(false);

    await writeFile(join(dir, "ada.pw"), `${ADA.password}\n`, { mode: 0o600 });
    const agent = await admin(
      "agent",
      "add",
      "acme",
      ADA.login,
      "--name",
      "Ada",
      "--role",
      "admin",
      "--password-file",
      "ada.pw",
    );
    expect(agent.code).toBe(0);
    expect(agent.stdout).not.toContain(ADA.password);
    const bot = await admin("bot", "add", "acme", "helper", "--name", "Helper Bot", "--handle", "helper_bot");
    expect(bot.code).toBe(0);
    const botPassword = /^password: (\S+)$/m.exec(bot.stdout)?.[1];
    expect(botPassword?.length).toBeGreaterThanOrEqual(20);

    const list = await admin("shop", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("acme  Acme  key EdDSA  guests no");
    expect(list.stdout).toMatch(/admin\s+ada@acme\.test\s+Ada/);
    expect(list.stdout).toMatch(/bot\s+helper\s+Helper Bot @helper_bot/);
    const json = JSON.parse((await admin("shop", "list", "--json")).stdout) as {
      shops: { id: string; allowedOrigins: string[]; team: { login: string; principal: { kind: string } }[] }[];
    };
    expect(json.shops.map((s) => s.id)).toEqual(["acme"]);
    expect(json.shops[0]?.allowedOrigins).toEqual(["https://shop.acme.test"]);
    expect(json.shops[0]?.team.map((m) => [m.login, m.principal.kind])).toEqual([
      [ADA.login, "agent"],
      ["helper", "bot"],
    ]);
  });

  it("lets a customer (with the key shop add wrote) and the agent sign in, and agent remove ends the agent's sign-in", async () => {
    const privateKey = await readFile(join(dir, "acme.jwk"), "utf8");
    const token = await signCustomerToken({
      shopId: "acme",
      key: { alg: "EdDSA", privateKey },
      customer: { id: "c-1" },
    });
    const customer = await post<SessionResponse>("/v1/session", { shopId: "acme", token });
    expect(customer.status).toBe(200);
    expect(customer.body.principal.kind).toBe("customer");
    // The chat frame connects from the gateway's origin, which init allowed on the WebSocket.
    const nc = await wsconnect({
      servers: customer.body.nats.servers,
      authenticator: jwtAuthenticator(customer.body.nats.jwt),
      inboxPrefix: customer.body.nats.inboxPrefix,
      wsFactory: async (url) => ({
        socket: new WebSocket(url, { origin: gatewayUrl }) as unknown as globalThis.WebSocket,
        encrypted: false,
      }),
    });
    await nc.flush();
    await nc.close();

    const signIn = () => post<SessionResponse>("/v1/agent/session", { shopId: "acme", ...ADA });
    const agent = await signIn();
    expect(agent.status).toBe(200);
    expect(agent.body.principal.kind).toBe("agent");

    const removed = await admin("agent", "remove", "acme", ADA.login);
    expect(removed.code).toBe(0);
    expect((await signIn()).status).toBe(401);
    const refresh = await post("/v1/session/refresh", { refreshToken: agent.body.refreshToken });
    expect(refresh.status).toBe(401);
    expect((await admin("shop", "list")).stdout).not.toContain(ADA.login);
  });

  it("doctor passes on the running deployment, names a foreign origin and a stopped NATS with their fixes, and exits 1", async () => {
    const ok = await admin("doctor", "--origin", DASHBOARD);
    expect(ok.stdout).not.toContain("FAIL");
    for (const check of [
      "config",
      "nats auth file",
      "nats",
      "nats clock",
      "websocket",
      "gateway",
      "store",
      "gateway clock",
    ]) {
      expect(ok.stdout).toMatch(new RegExp(`^OK\\s+${check}\\s`, "m"));
    }
    expect(ok.stdout).toMatch(/^SKIP\s+tls\s/m);
    expect(ok.stdout).toContain("embedded store took a write and a delete");
    expect(ok.code).toBe(0);

    const wrongOrigin = await admin("doctor", "--origin", "https://elsewhere.acme.test");
    expect(wrongOrigin.stdout).toMatch(
      /^FAIL\s+websocket\s+.* turns https:\/\/elsewhere\.acme\.test away \(HTTP 403\)$/m,
    );
    expect(wrongOrigin.stdout).toContain(
      "fix: add it to allowed_origins: parley-gateway init --force --origin https://elsewhere.acme.test",
    );
    expect(wrongOrigin.code).toBe(1);

    await stopChild(nats?.child);
    const down = await admin("doctor");
    expect(down.stdout).toMatch(/^FAIL\s+nats\s+nats:\/\/127\.0\.0\.1:\d+: /m);
    expect(down.stdout).toContain("fix: start nats-server -c <dir>/nats.conf");
    expect(down.stdout).toMatch(/^FAIL\s+gateway\s+.*\(down: nats\)$/m);
    expect(down.stdout).toMatch(/^OK\s+store\s/m);
    expect(down.code).toBe(1);
    await startNats();
  });

  it("answers bad usage with the usage and exit code 2, a wrong admin token with exit code 1", async () => {
    const unknown = await run("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const missing = await admin("agent", "add", "acme");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing <login>");
    const badOption = await admin("doctor", "--colour");
    expect(badOption.code).toBe(2);
    const help = await run("shop", "add", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: parley-gateway shop add <shop-id> --name NAME");
    const alone = await run("init", "--dir", "elsewhere", "--new-keys");
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain("--new-keys replaces existing keys: use it with --force");
    const badOrigin = await run("init", "--dir", "elsewhere", "--origin", "https://shop.example/path");
    expect(badOrigin.code).toBe(2);
    expect(existsSync(join(dir, "elsewhere"))).toBe(false);
    await writeFile(join(dir, "wrong.token"), "x".repeat(40));
    const wrong = await admin("shop", "list", "--token-file", "wrong.token");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("401 unauthorized");
  });

  it("init writes each node of a NATS cluster (same keys, own name, routes); two nodes from it route to each other", async () => {
    const [n1, w1, m1, c1, n2, w2, m2, c2] = (await freePorts(8)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const node = (i: 1 | 2) => join(dir, `node${i}`);
    const nodeArgs = (name: string, nats: number, ws: number, mon: number, route: number, other: number) => [
      "--nats-port",
      String(nats),
      "--ws-port",
      String(ws),
      "--monitor-port",
      String(mon),
      "--server-name",
      name,
      "--cluster-port",
      String(route),
      "--route",
      `nats-route://127.0.0.1:${other}`,
      "--nats-url",
      `nats://127.0.0.1:${n1}`,
      "--nats-url",
      `nats://127.0.0.1:${n2}`,
      "--ws-url",
      `ws://127.0.0.1:${w1}`,
      "--ws-url",
      `ws://127.0.0.1:${w2}`,
    ];
    expect((await run("init", "--dir", node(1), ...nodeArgs("parley-1", n1, w1, m1, c1, c2))).code).toBe(0);
    // The second node: the first one's keys and secrets, copied over, kept by --force.
    await mkdir(node(2), { recursive: true });
    for (const file of ["nats-auth.json", "gateway.env"]) await copyFile(join(node(1), file), join(node(2), file));
    const second = await run("init", "--dir", node(2), "--force", ...nodeArgs("parley-2", n2, w2, m2, c2, c1));
    expect(second.code).toBe(0);
    const auth = (i: 1 | 2) => readFile(join(node(i), "nats-auth.json"), "utf8");
    expect(await auth(2)).toBe(await auth(1));
    const conf = await readFile(join(node(2), "nats.conf"), "utf8");
    expect(conf).toContain('server_name: "parley-2"');
    expect(conf).toContain(`routes: ["nats-route://127.0.0.1:${c1}"]`);
    const env = await readFile(join(node(2), "gateway.env"), "utf8");
    expect(env).toContain(`NATS_URL="nats://127.0.0.1:${n1},nats://127.0.0.1:${n2}"`);
    expect(env).toContain(`NATS_WS_URL="ws://127.0.0.1:${w1},ws://127.0.0.1:${w2}"`);
    const secretOf = (text: string) => /PARLEY_SESSION_SECRET="([^"]+)"/.exec(text)?.[1];
    expect(secretOf(env)).toBe(secretOf(await readFile(join(node(1), "gateway.env"), "utf8")));
    const nodes = [1, 2].map((i) => daemon(dir, natsBin, ["-c", join(node(i as 1 | 2), "nats.conf")]));
    try {
      const routes = async (mon: number) => {
        const res = await fetch(`http://127.0.0.1:${mon}/routez`).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { num_routes: number }).num_routes : 0;
      };
      await waitFor(
        async () => (await routes(m1)) > 0 && (await routes(m2)) > 0,
        `the two nodes to route (${nodes.map((n) => n.output().slice(-300)).join(" | ")})`,
      );
    } finally {
      await Promise.all(nodes.map((n) => stopChild(n.child)));
    }
    const half = await run("init", "--dir", "half", "--cluster-port", "6222");
    expect(half.code).toBe(2);
    expect(half.stderr).toContain("needs both --cluster-port and at least one --route");
    const badName = await run("init", "--dir", "half", "--server-name", "a b");
    expect(badName.code).toBe(2);
  });

  async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }
});
