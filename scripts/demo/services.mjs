// Starting the demo's parts, each waited on until it answers: nats-server (new
// ports if one was taken meanwhile), the gateway, the shop's first admin device,
// the storefront, the bot and the merchant dashboard. Each started service is
// pushed onto `services` (stopped in reverse by the demo).
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { freePorts } from "../lib/ports.mjs";
import {
  AGENT_LOGIN,
  BOT_LOGIN,
  BOT_READY_MS,
  DemoError,
  demo,
  GATEWAY_READY_MS,
  HOST,
  NATS_READY_MS,
  SHOP_ID,
  sleep,
  TEAM_KEY_READY_MS,
} from "./common.mjs";
import { writePrivate } from "./files.mjs";
import { httpOk } from "./net.mjs";
import {
  BOT_MAIN,
  dashboardServer,
  GATEWAY_MAIN,
  STOREFRONT_MAIN,
  sdkPackage,
  sdkServerPackage,
  wsPackage,
} from "./packages.mjs";
import { Service } from "./service.mjs";

export async function startNats({ bin, gateway, stateDir, logsDir, allowedOrigins, services }) {
  const { loadOrCreateNatsAuth, renderServerConfig } = gateway;
  const authFile = join(stateDir, "nats-auth.json");
  let auth;
  try {
    auth = await loadOrCreateNatsAuth(authFile);
  } catch (err) {
    // A file from an older demo lacks newer fields: the demo's NATS keys are disposable (nats.conf is
    // written anew on every start and the gateway reads the file at start), so make new ones.
    if (!(err instanceof TypeError) || !/lacks/.test(err.message)) throw err;
    await rm(authFile, { force: true });
    auth = await loadOrCreateNatsAuth(authFile);
  }
  // Another process may take a port between choosing and binding it: retry with new ones.
  for (let attempt = 1; ; attempt++) {
    const [port, wsPort, httpPort] = await freePorts(3, HOST);
    const configFile = join(stateDir, "nats.conf");
    const config = renderServerConfig({ auth, host: HOST, port, wsPort, httpPort, allowedOrigins });
    await writePrivate(configFile, config);
    const nats = new Service("nats", bin, ["-c", configFile], { env: process.env, logFile: join(logsDir, "nats.log") });
    services.push(nats);
    try {
      await nats.waitUntil(() => httpOk(`http://${HOST}:${httpPort}/healthz`), NATS_READY_MS, "ready");
      return { nats, url: `nats://${HOST}:${port}`, wsUrl: `ws://${HOST}:${wsPort}` };
    } catch (err) {
      if (demo.stopping || attempt >= 3 || !/address already in use/i.test(String(err.message))) throw err;
      await nats.stop(2_000);
      services.splice(services.indexOf(nats), 1);
    }
  }
}

/** The gateway on `port`, with the embedded store in the demo's data dir. */
export async function startGateway({
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
}) {
  const gw = new Service("gateway", process.execPath, [GATEWAY_MAIN], {
    logFile: join(logsDir, "gateway.log"),
    env: {
      ...env,
      PARLEY_HOST: HOST,
      PARLEY_PORT: String(port),
      PARLEY_PUBLIC_URL: gatewayUrl,
      NATS_URL: nats.url,
      NATS_WS_URL: nats.wsUrl,
      NATS_AUTH_FILE: join(stateDir, "nats-auth.json"),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SESSION_SECRET: secrets.sessionSecret,
      PARLEY_ADMIN_TOKEN: secrets.adminToken,
      PARLEY_SHOPS_FILE: shops,
      // The demo's shop backend listens on loopback over http: allowed for webhooks in development only.
      PARLEY_WEBHOOK_ALLOW_LOOPBACK: "true",
      PARLEY_WEBHOOK_COALESCE: "3000",
    },
  });
  services.push(gw);
  await gw.waitUntil(() => httpOk(`${gatewayUrl}/readyz`), GATEWAY_READY_MS, "ready");
  return gw;
}

/**
 * The shop's first admin device, run by the demo itself: it makes the team key
 * on the first run (so the very first customer conversation is readable by the
 * team) and wraps it to each new team device that asks (the bot, dashboards).
 * A real shop does this from its admin's dashboard.
 */
export async function startTeamKeeper({ gatewayUrl, secrets, stateDir }) {
  const { createClient } = await sdkPackage();
  const { fileStorage } = await sdkServerPackage();
  const { default: WebSocket } = await wsPackage();
  const client = createClient({
    gatewayUrl,
    auth: { kind: "agent", shopId: SHOP_ID, login: AGENT_LOGIN, password: secrets.agentPassword },
    WebSocket,
    origin: gatewayUrl,
    encryption: true,
    storage: fileStorage(join(stateDir, "admin-device.json")),
  });
  client.on("error", () => undefined);
  await client.connect();
  const deadline = Date.now() + TEAM_KEY_READY_MS;
  while (!(await client.request("team.get", { shopId: SHOP_ID })).key) {
    if (Date.now() > deadline) throw new DemoError("the demo admin device did not make the team key");
    await sleep(100);
  }
  return client;
}

/** The example storefront and shop backend on `shopPort`, serving the demo's audio from `audioDir`. */
export async function startStorefront({
  env,
  gatewayUrl,
  secrets,
  shopPort,
  storefrontUrl,
  audioDir,
  logsDir,
  services,
}) {
  const storefront = new Service("storefront", process.execPath, [STOREFRONT_MAIN], {
    logFile: join(logsDir, "storefront.log"),
    env: {
      ...env,
      PARLEY_GATEWAY_URL: gatewayUrl,
      PARLEY_SHOP_ID: SHOP_ID,
      PARLEY_SHOP_SECRET: secrets.shopTokenSecret,
      PARLEY_KEY_BACKUP_SECRET: secrets.keyBackupSecret,
      PARLEY_WEBHOOK_SECRET: secrets.webhookSecret,
      SHOP_HOST: HOST,
      SHOP_PORT: String(shopPort),
      // The demo playlist (make-audio.mjs), served at /audio/<id>.wav.
      SHOP_AUDIO_DIR: audioDir,
    },
  });
  services.push(storefront);
  await storefront.waitUntil(() => httpOk(`${storefrontUrl}/`), GATEWAY_READY_MS, "ready");
  return storefront;
}

/** Points the shop's webhook at the storefront's backend (`POST /parley/webhook`), which verifies and prints each. */
export async function registerWebhook({ gatewayUrl, storefrontUrl, secrets }) {
  const res = await fetch(`${gatewayUrl}/v1/admin/shops/${SHOP_ID}/webhook`, {
    method: "PUT",
    headers: { authorization: `Bearer ${secrets.adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ url: `${storefrontUrl}/parley/webhook`, secret: secrets.webhookSecret }),
  });
  if (!res.ok) throw new DemoError(`cannot register the webhook: ${res.status} ${await res.text()}`);
}

/** The example bot, once it says it is answering. */
export async function startBot({ env, gatewayUrl, secrets, stateDir, logsDir, services }) {
  const bot = new Service("bot", process.execPath, ["--import", "tsx", BOT_MAIN], {
    logFile: join(logsDir, "bot.log"),
    env: {
      ...env,
      PARLEY_GATEWAY_URL: gatewayUrl,
      PARLEY_SHOP_ID: SHOP_ID,
      PARLEY_BOT_LOGIN: BOT_LOGIN,
      PARLEY_BOT_PASSWORD: secrets.botPassword,
      PARLEY_BOT_STATE: join(stateDir, "bot-state.json"),
      PARLEY_BOT_ORIGIN: gatewayUrl,
    },
  });
  services.push(bot);
  await bot.waitUntil(async () => bot.tail().includes("is answering"), BOT_READY_MS, "answering");
  return bot;
}

/** The merchant dashboard, in this process. */
export async function startDashboard({ dashboardPort, gatewayUrl, natsWsUrl }) {
  const { startDashboard: serve } = await dashboardServer();
  return serve({ port: dashboardPort, host: HOST, gatewayUrl, shopId: SHOP_ID, natsWsUrl });
}
