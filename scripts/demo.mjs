#!/usr/bin/env node
// `npm run demo`: one command on a fresh clone. Installs dependencies when
// needed, finds or builds nats-server, builds the packages when their sources
// changed, then runs on loopback: nats-server, a gateway with a seeded demo shop
// (an admin agent, a second agent, a bot, and three customers with handles for
// trying @invites), the storefront with the widget and its shop
// backend, the example bot, and the merchant dashboard; prints each URL and the
// logins. Ctrl-C stops everything it started.
//
// The steps live in scripts/demo/ (common, files, net, service, build, state,
// packages, services, seed, banner). Only node: builtins are imported at top level,
// here and there: this file runs before node_modules exists. Everything else is
// imported after the install, through scripts/demo/packages.mjs.
//
//   node scripts/demo.mjs [--no-install] [--no-build] [--ready-file <path>]
//
// Environment: PARLEY_DEMO_PORT (gateway port; default 8080 or the next free
// one), PARLEY_DEMO_SHOP_PORT (storefront; default 3000 or the next free one),
// PARLEY_DEMO_DASHBOARD_PORT (default 3100 or the next free one), PARLEY_DEMO_DIR
// (state dir; default .parley/demo), PARLEY_DEMO_ORIGINS (more page origins allowed to embed
// the chat and open the NATS WebSocket, comma-separated: your own app), PARLEY_DEMO_SKIP_INSTALL=1,
// PARLEY_BOT_STATUS_STEP_MS (the bot's time between two status steps of a group order),
// PARLEY_DEMO_TILES_URL and PARLEY_DEMO_TILES_ATTRIBUTION (a map tile server for
// location messages; none by default).
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { banner } from "./demo/banner.mjs";
import { buildDashboardIfNeeded, buildIfNeeded, installIfNeeded } from "./demo/build.mjs";
import {
  AGENT_HANDLE,
  AGENT_LOGIN,
  BOT_HANDLE,
  BOT_LOGIN,
  COLLEAGUE_HANDLE,
  COLLEAGUE_LOGIN,
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_GATEWAY_PORT,
  DEFAULT_SHOP_PORT,
  DEFAULT_STATE_DIR,
  DemoError,
  demo,
  HOST,
  rel,
  SHOP_ID,
  say,
} from "./demo/common.mjs";
import { writePrivate } from "./demo/files.mjs";
import { demoMedia, ensureDemoAudio } from "./demo/make-audio.mjs";
import { pickPort } from "./demo/net.mjs";
import { gatewayPackage, natsServerLib } from "./demo/packages.mjs";
import { SEEDED_CUSTOMERS, seedCustomers } from "./demo/seed.mjs";
import {
  registerWebhook,
  startBot,
  startDashboard,
  startGateway,
  startNats,
  startStorefront,
  startTeamKeeper,
} from "./demo/services.mjs";
import { demoMapTiles, loadOrCreateSecrets, refuseSecondDemo, shopsFile } from "./demo/state.mjs";

const USAGE = `usage: node scripts/demo.mjs [--no-install] [--no-build] [--ready-file <path>]

  --no-install         skip \`npm ci\` (also PARLEY_DEMO_SKIP_INSTALL=1)
  --no-build           use the built packages as they are (fails when they are missing)
  --ready-file <path>  write the connection details as JSON once ready

  PARLEY_DEMO_PORT            gateway port (default ${DEFAULT_GATEWAY_PORT}, or the next free one)
  PARLEY_DEMO_SHOP_PORT       storefront port (default ${DEFAULT_SHOP_PORT}, or the next free one)
  PARLEY_DEMO_DASHBOARD_PORT  dashboard port (default ${DEFAULT_DASHBOARD_PORT}, or the next free one)
  PARLEY_DEMO_DIR             state directory (default .parley/demo)
  PARLEY_DEMO_ORIGINS         more page origins for the demo shop, comma-separated (e.g. your app's http://127.0.0.1:5173)
  PARLEY_BOT_STATUS_STEP_MS   the bot's time between two status steps of a group order (default 20000)
  PARLEY_DEMO_TILES_URL       a map tile URL template (https://.../{z}/{x}/{y}.png) for location messages (default none)
  PARLEY_DEMO_TILES_ATTRIBUTION  the tile server's attribution, required with PARLEY_DEMO_TILES_URL`;

async function main() {
  // A closed terminal or pipe must not crash the demo before it has stopped its children.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => undefined);
  const { values } = parseArgs({
    options: {
      "no-install": { type: "boolean", default: false },
      "no-build": { type: "boolean", default: false },
      "ready-file": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const stateDir = resolve(process.env.PARLEY_DEMO_DIR ?? DEFAULT_STATE_DIR);
  const logsDir = join(stateDir, "logs");
  const dataDir = join(stateDir, "data");
  const demoJson = join(stateDir, "demo.json");
  const readyFile = values["ready-file"] ? resolve(values["ready-file"]) : undefined;

  /** Started services, in start order; stopped in reverse. */
  const services = [];
  /** In-process clients to close before the services stop. */
  const closers = [];
  let wroteDemoJson = false;
  let starting = Promise.resolve();
  let finish;
  const finished = new Promise((r) => {
    finish = r;
  });

  const stopAll = async (code, reason) => {
    if (demo.stopping) return;
    demo.stopping = true;
    if (reason) (code === 0 ? process.stdout : process.stderr).write(`${reason}\n`);
    // Start-up checks `stopping` after each step and gives up; wait for it so nothing starts after this.
    await starting.catch(() => undefined);
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    for (const service of [...services].reverse()) await service.stop();
    if (wroteDemoJson) await rm(demoJson, { force: true });
    finish(code);
  };
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, () => {
      if (demo.stopping) return; // npm run forwards the terminal's Ctrl-C a second time
      void stopAll(0, `\n${signal}: stopping the demo...`);
    });
  }
  // Last resort: never leave children behind, whatever happens to this process.
  process.once("exit", () => {
    for (const service of services) if (service.running) service.child.kill("SIGKILL");
  });

  const start = async () => {
    await installIfNeeded(values["no-install"] || process.env.PARLEY_DEMO_SKIP_INSTALL === "1");
    if (demo.stopping) return;
    const { ensureNatsServer } = await natsServerLib();
    const { bin, version } = await ensureNatsServer();
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await mkdir(logsDir, { recursive: true, mode: 0o700 });
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await refuseSecondDemo(demoJson);
    await buildIfNeeded(logsDir, values["no-build"]);
    if (demo.stopping) return;
    await buildDashboardIfNeeded(logsDir, values["no-build"]);
    if (demo.stopping) return;
    const gateway = await gatewayPackage();

    const secrets = await loadOrCreateSecrets(join(stateDir, "secrets.json"));
    const port = await pickPort("PARLEY_DEMO_PORT", DEFAULT_GATEWAY_PORT);
    const shopPort = await pickPort("PARLEY_DEMO_SHOP_PORT", DEFAULT_SHOP_PORT, [port]);
    const dashboardPort = await pickPort("PARLEY_DEMO_DASHBOARD_PORT", DEFAULT_DASHBOARD_PORT, [port, shopPort]);
    const gatewayUrl = `http://${HOST}:${port}`;
    const storefrontUrl = `http://${HOST}:${shopPort}`;
    const dashboardUrl = `http://${HOST}:${dashboardPort}`;
    const shops = join(stateDir, "shops.json");
    const appOrigins = extraOrigins(process.env.PARLEY_DEMO_ORIGINS);
    const origins = [storefrontUrl, dashboardUrl, ...appOrigins];
    // The playlist for listening together, synthesized once into the state dir; the storefront serves it.
    const audioDir = join(stateDir, "audio");
    await ensureDemoAudio(audioDir);
    const media = demoMedia(storefrontUrl);
    const mapTiles = demoMapTiles(process.env);
    await writePrivate(shops, `${JSON.stringify(shopsFile({ origins, secrets, media, mapTiles }), null, 2)}\n`);

    // The NATS WebSocket is opened by the chat frame and the bot (gateway origin), by the dashboard
    // and by apps that mount the chat's elements themselves (PARLEY_DEMO_ORIGINS).
    const allowedOrigins = [gatewayUrl, dashboardUrl, ...appOrigins];
    const nats = await startNats({ bin, gateway, stateDir, logsDir, allowedOrigins, services });
    if (demo.stopping) return;
    // The demo always uses the embedded store in its data dir, whatever the shell exports.
    const { MONGODB_URI: _uri, MONGODB_DB: _db, ...env } = process.env;
    const gw = await startGateway({
      env,
      port,
      gatewayUrl,
      nats,
      stateDir,
      dataDir,
      logsDir,
      shops,
      secrets,
      services,
    });
    if (demo.stopping) return;

    const keeper = await startTeamKeeper({ gatewayUrl, secrets, stateDir });
    closers.push(() => keeper.close());
    if (demo.stopping) return;

    await seedCustomers({ gatewayUrl, secrets });
    if (demo.stopping) return;

    const storefront = await startStorefront({
      env,
      gatewayUrl,
      secrets,
      shopPort,
      storefrontUrl,
      audioDir,
      logsDir,
      services,
    });
    if (demo.stopping) return;

    await registerWebhook({ gatewayUrl, storefrontUrl, secrets });
    if (demo.stopping) return;

    const bot = await startBot({ env, gatewayUrl, secrets, stateDir, logsDir, services });
    if (demo.stopping) return;

    const dashboard = await startDashboard({ dashboardPort, gatewayUrl, natsWsUrl: nats.wsUrl });
    closers.push(() => dashboard.close());
    if (demo.stopping) return;

    for (const service of services) {
      service.exited.then(() => {
        if (!demo.stopping) {
          void stopAll(
            1,
            `\n${service.name} stopped unexpectedly (${service.exitCode}); stopping the demo. ` +
              `Last log lines (${rel(service.logFile)}):\n${service.tail()}`,
          );
        }
      });
    }

    const info = {
      gatewayUrl,
      healthUrl: `${gatewayUrl}/healthz`,
      natsWsUrl: nats.wsUrl,
      storefrontUrl,
      dashboardUrl,
      shopId: SHOP_ID,
      media,
      ...(mapTiles ? { mapTiles: mapTiles.url } : {}),
      agentLogin: AGENT_LOGIN,
      agentPassword: secrets.agentPassword,
      agentHandle: AGENT_HANDLE,
      colleagueLogin: COLLEAGUE_LOGIN,
      colleaguePassword: secrets.colleaguePassword,
      colleagueHandle: COLLEAGUE_HANDLE,
      customers: SEEDED_CUSTOMERS,
      botLogin: BOT_LOGIN,
      botHandle: BOT_HANDLE,
      stateDir,
      pids: { demo: process.pid, gateway: gw.pid, nats: nats.nats.pid, storefront: storefront.pid, bot: bot.pid },
    };
    const json = `${JSON.stringify(info, null, 2)}\n`;
    await writePrivate(demoJson, json);
    wroteDemoJson = true;
    if (readyFile) await writePrivate(readyFile, json);
    say(banner({ info, secrets, stateDir, logsDir, demoJson, natsVersion: version }));
  };

  starting = start();
  starting.catch((err) => {
    const message = err instanceof DemoError ? err.message : (err?.stack ?? String(err));
    void stopAll(1, `demo failed: ${message}`);
  });
  return finished;
}

/** `PARLEY_DEMO_ORIGINS`: comma-separated origins (scheme, host, port); anything else is refused. */
function extraOrigins(value) {
  const origins = (value ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    let parsed;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new DemoError(`PARLEY_DEMO_ORIGINS: ${origin} is not an origin (like http://127.0.0.1:5173)`);
    }
  }
  return origins;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
