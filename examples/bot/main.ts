/**
 * Runs the example bot. Configuration from the environment:
 *
 *   PARLEY_GATEWAY_URL   the gateway, e.g. https://chat.example.com
 *   PARLEY_SHOP_ID       the shop the bot belongs to
 *   PARLEY_BOT_LOGIN     the bot's login (a team member of kind "bot")
 *   PARLEY_BOT_PASSWORD  its password
 *   PARLEY_BOT_STATE     file for the bot's device keys and team key (default .parley/bot/state.json)
 *   PARLEY_BOT_ORIGIN    Origin header for the NATS WebSocket, when nats-server checks it
 *   PARLEY_BOT_STATUS_STEP_MS  ms between two status steps of a confirmed group order (default 20000)
 *
 * Without PARLEY_GATEWAY_URL it joins the shop `npm run demo` started, reading
 * `.parley/demo/demo.json`. Stops cleanly on SIGINT and SIGTERM.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileStorage } from "@parley/sdk/server";
import WebSocket from "ws";
import { BOT_DEFAULTS, ShopBot } from "./bot.js";

interface Settings {
  gatewayUrl: string;
  shopId: string;
  login: string;
  password: string;
  state: string;
  origin?: string;
  statusStepMs: number;
}

/** PARLEY_BOT_STATUS_STEP_MS, checked: a whole number of milliseconds. */
function statusStepMs(): number {
  const raw = process.env.PARLEY_BOT_STATUS_STEP_MS;
  if (raw === undefined || raw === "") return BOT_DEFAULTS.statusStepMs;
  const ms = Number(raw);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new Error(`PARLEY_BOT_STATUS_STEP_MS must be milliseconds (got "${raw}")`);
  return ms;
}

async function settings(): Promise<Settings> {
  const env = process.env;
  if (env.PARLEY_GATEWAY_URL) {
    const missing = ["PARLEY_SHOP_ID", "PARLEY_BOT_LOGIN", "PARLEY_BOT_PASSWORD"].filter((k) => !env[k]);
    if (missing.length > 0) throw new Error(`set ${missing.join(", ")}`);
    return {
      gatewayUrl: env.PARLEY_GATEWAY_URL,
      shopId: env.PARLEY_SHOP_ID as string,
      login: env.PARLEY_BOT_LOGIN as string,
      password: env.PARLEY_BOT_PASSWORD as string,
      state: env.PARLEY_BOT_STATE ?? join(".parley", "bot", "state.json"),
      ...(env.PARLEY_BOT_ORIGIN ? { origin: env.PARLEY_BOT_ORIGIN } : {}),
      statusStepMs: statusStepMs(),
    };
  }
  const demoDir = join(".parley", "demo");
  const demo = JSON.parse(await readFile(join(demoDir, "demo.json"), "utf8")) as {
    gatewayUrl: string;
    shopId: string;
    botLogin?: string;
    botPassword?: string;
  };
  if (!demo.botLogin || !demo.botPassword)
    throw new Error("the running demo has no bot account; restart `npm run demo`");
  return {
    gatewayUrl: demo.gatewayUrl,
    shopId: demo.shopId,
    login: demo.botLogin,
    password: demo.botPassword,
    state: join(demoDir, "bot-state.json"),
    origin: demo.gatewayUrl,
    statusStepMs: statusStepMs(),
  };
}

const s = await settings();
const bot = new ShopBot({
  gatewayUrl: s.gatewayUrl,
  shopId: s.shopId,
  login: s.login,
  password: s.password,
  storage: fileStorage(s.state),
  WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
  ...(s.origin ? { origin: s.origin } : {}),
  statusStepMs: s.statusStepMs,
});
bot.onDecision((d) => console.log(JSON.stringify({ time: new Date().toISOString(), ...d })));
bot.onKitchen((e) => console.log(JSON.stringify({ time: new Date().toISOString(), ...e })));
bot.client.on("error", (err) => console.error(`bot: ${err.message}`));
await bot.start();
console.log(`bot ${bot.client.principal.displayName} is answering for shop ${s.shopId} at ${s.gatewayUrl}`);
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    bot.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
