// The demo's state directory: one demo per directory, the secrets kept across
// runs, and the shops file the gateway reads. Only node: builtins.
import { randomBytes } from "node:crypto";
import { chmod, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import {
  AGENT_HANDLE,
  AGENT_LOGIN,
  BOT_HANDLE,
  BOT_LOGIN,
  COLLEAGUE_HANDLE,
  COLLEAGUE_LOGIN,
  DemoError,
  rel,
  SHOP_ID,
} from "./common.mjs";
import { writePrivate } from "./files.mjs";

/** Two demos on one state dir would share its database: refuse while the other one runs. */
export async function refuseSecondDemo(demoJson) {
  let pid;
  try {
    pid = JSON.parse(await readFile(demoJson, "utf8")).pids?.demo;
  } catch {
    return; // none, or unreadable: the previous run is gone
  }
  if (!Number.isInteger(pid) || pid === process.pid) return;
  try {
    process.kill(pid, 0);
  } catch {
    return; // a stale file from a run that was killed
  }
  throw new DemoError(
    `a demo is already running from ${rel(dirname(demoJson))} (pid ${pid}): stop it first, ` +
      "or set PARLEY_DEMO_DIR to run another one",
  );
}

/** Secrets generated on the first run and kept, so a second run keeps sessions, logins and the shop key. */
export async function loadOrCreateSecrets(file) {
  let saved = {};
  try {
    saved = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if (err.code !== "ENOENT") throw new DemoError(`cannot read ${file}: ${err.message} (delete it to start over)`);
  }
  const token = (bytes) => randomBytes(bytes).toString("base64url");
  const secrets = {
    sessionSecret: saved.sessionSecret ?? token(32),
    adminToken: saved.adminToken ?? token(24),
    shopTokenSecret: saved.shopTokenSecret ?? token(32),
    // The shop's key backup master secret (ADR 0016): only the shop backend holds it, never the gateway.
    keyBackupSecret: saved.keyBackupSecret ?? token(32),
    // The shop's webhook secret: the demo registers the storefront's /parley/webhook with it.
    webhookSecret: saved.webhookSecret ?? `whsec_${token(32)}`,
    agentPassword: saved.agentPassword ?? `demo-${token(9)}`,
    colleaguePassword: saved.colleaguePassword ?? `demo-${token(9)}`,
    botPassword: saved.botPassword ?? `bot-${token(18)}`,
  };
  if (JSON.stringify(secrets) !== JSON.stringify(saved))
    await writePrivate(file, `${JSON.stringify(secrets, null, 2)}\n`);
  await chmod(file, 0o600);
  return secrets;
}

/**
 * The demo shop's map tiles from the environment (PARLEY_DEMO_TILES_URL and
 * PARLEY_DEMO_TILES_ATTRIBUTION), or undefined: by default the demo fetches no
 * map tile from anywhere. The gateway checks the template when it loads the shops file.
 */
export function demoMapTiles(env) {
  if (!env.PARLEY_DEMO_TILES_URL) return undefined;
  if (!env.PARLEY_DEMO_TILES_ATTRIBUTION) {
    throw new DemoError(
      "PARLEY_DEMO_TILES_URL needs PARLEY_DEMO_TILES_ATTRIBUTION (what the tile server asks you to show)",
    );
  }
  return { url: env.PARLEY_DEMO_TILES_URL, attribution: env.PARLEY_DEMO_TILES_ATTRIBUTION };
}

/**
 * The gateway's shops file: the demo shop (with its playlist as `media`, and
 * `mapTiles` when given), its admin agent, a second agent and its bot.
 */
export function shopsFile({ origins, secrets, media, mapTiles }) {
  return {
    shops: [
      {
        id: SHOP_ID,
        name: "Demo Shop",
        tokenKey: { alg: "HS256", secret: secrets.shopTokenSecret },
        // The storefront and the dashboard run on their own origins, as they would for a real shop.
        allowedOrigins: origins,
        allowGuests: true,
        ...(media ? { media } : {}),
        ...(mapTiles ? { mapTiles } : {}),
        agents: [
          {
            login: AGENT_LOGIN,
            password: secrets.agentPassword,
            displayName: "Demo Agent",
            role: "admin",
            handle: AGENT_HANDLE,
          },
          {
            login: COLLEAGUE_LOGIN,
            password: secrets.colleaguePassword,
            displayName: "Sam",
            role: "agent",
            handle: COLLEAGUE_HANDLE,
          },
          {
            login: BOT_LOGIN,
            password: secrets.botPassword,
            displayName: "Shop Bot",
            role: "agent",
            kind: "bot",
            handle: BOT_HANDLE,
          },
        ],
      },
    ],
  };
}
