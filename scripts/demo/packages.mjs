// Everything the demo loads from the repository's packages and node_modules, in
// one place: imported only after `npm ci` and the builds (the rest of the demo
// uses node: builtins alone). Change a package's entry point here.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./common.mjs";

const load = (path) => import(pathToFileURL(join(ROOT, path)).href);

/** `ensureNatsServer` (scripts/lib/nats-server.mjs). */
export const natsServerLib = () => load("scripts/lib/nats-server.mjs");
/** The built gateway (`createGateway`, `loadOrCreateNatsAuth`, `renderServerConfig`, ...). */
export const gatewayPackage = () => load("gateway/dist/index.js");
/** The gateway's executable, run as a child process. */
export const GATEWAY_MAIN = join(ROOT, "gateway/dist/main.js");
/** The built SDK's client entry (`createClient`). */
export const sdkPackage = () => load("sdk/dist/index.js");
/** The built SDK's Node entry (`fileStorage`). */
export const sdkServerPackage = () => load("sdk/dist/server/index.js");
/** The WebSocket implementation Node clients use. */
export const wsPackage = () => import("ws");
/** The built merchant dashboard's server (`startDashboard`). */
export const dashboardServer = () => load("examples/merchant-dashboard/dist/server/serve.mjs");
/** The example shop backend (storefront), the bot and the terminal chat, run as child processes or printed. */
export const STOREFRONT_MAIN = join(ROOT, "examples/shop-backend/server.mjs");
export const BOT_MAIN = join(ROOT, "examples/bot/main.ts");
export const CLI_CHAT = join(ROOT, "examples/cli-chat/chat.mjs");
