// What the demo prints once everything runs: each URL, the logins, a group
// food order to try in two browser windows, and how to chat from two terminals.

import {
  AGENT_HANDLE,
  AGENT_LOGIN,
  BOT_HANDLE,
  COLLEAGUE_HANDLE,
  COLLEAGUE_LOGIN,
  DEFAULT_STATE_DIR,
  rel,
  SHOP_ID,
} from "./common.mjs";
import { DEMO_ARTIST, DEMO_TRACKS } from "./make-audio.mjs";
import { CLI_CHAT } from "./packages.mjs";
import { SEEDED_CUSTOMERS } from "./seed.mjs";

/** Seconds between the bot's status steps (PARLEY_BOT_STATUS_STEP_MS reaches the bot through the environment). */
function stepSeconds() {
  const ms = Number(process.env.PARLEY_BOT_STATUS_STEP_MS || 20_000);
  return Number.isFinite(ms) ? Math.round(ms / 100) / 10 : 20;
}

/** The text printed once the demo is ready. */
export function banner({ info, secrets, stateDir, logsDir, demoJson, natsVersion }) {
  const custom = stateDir !== DEFAULT_STATE_DIR;
  const cli = `node ${rel(CLI_CHAT)}${custom ? ` --config ${rel(demoJson)}` : ""}`;
  return [
    "",
    "Parley demo is running (loopback only).",
    "",
    `  Storefront       ${info.storefrontUrl}   (log in with any name, then open the chat button)`,
    `  Dashboard        ${info.dashboardUrl}   (sign in with the agent login below)`,
    `  Gateway          ${info.gatewayUrl}`,
    `  Health           ${info.healthUrl}`,
    `  NATS WebSocket   ${info.natsWsUrl}`,
    `  Demo shop id     ${SHOP_ID}`,
    `  Agent login      ${AGENT_LOGIN}`,
    `  Agent password   ${secrets.agentPassword}`,
    `  Agent handle     @${AGENT_HANDLE}`,
    `  Second agent     ${COLLEAGUE_LOGIN} / ${secrets.colleaguePassword} (@${COLLEAGUE_HANDLE})`,
    `  Customers        ${SEEDED_CUSTOMERS.map((c) => `${c.name} (@${c.handle})`).join(", ")}: log in to the storefront with one`,
    "                   of these names and type @ and another one's handle in the chat to invite them",
    `  Bot              @${BOT_HANDLE} answers opening hours, shows orders (log in as Mia and ask "where is PX-1001?")`,
    '                   and brings the lunch menu ("menu", "Speisekarte")',
    `  Playlist         ${DEMO_TRACKS.map((t) => t.title).join(", ")} (${DEMO_ARTIST}, synthesized at start),`,
    "                   served by the storefront at /audio/<id>.wav: the shop's media for listening together",
    `  Map tiles        ${info.mapTiles ? info.mapTiles : "none (set PARLEY_DEMO_TILES_URL and PARLEY_DEMO_TILES_ATTRIBUTION)"}`,
    "",
    "Try a group food order in two browser profiles (or a normal and a private window):",
    "  1. First: log in as Mia, open the chat, type @noah and confirm the invite.",
    "  2. Second: log in as Noah, open the chat and accept the invite (the Invites button).",
    '  3. Mia asks for the menu ("menu"): the bot posts the lunch menu; start a group cart from it.',
    "  4. Mia and Noah each add dishes to the one cart; Mia submits it.",
    `  5. The bot confirms with an order card (PZ-2001, ...) and moves it to delivered, a step every ${stepSeconds()} s;`,
    "     while it is out for delivery the courier's live location is shared in the chat.",
    "  6. Split the bill from the order card; each marks their share paid, and the payee confirms it.",
    "",
    "Live in the conversation (the + button beside the message field):",
    "  - Share location: send where you are once, or share it live for 15 minutes, 1 hour or 8 hours.",
    "  - Listen together: pick tracks from the playlist; the other one taps Join and hears the same moment.",
    "",
    "Call: the video or voice button in the chat's header rings the others (the dashboard too);",
    "  accept with video or voice only. The browser asks for the camera and microphone first.",
    "",
    "Or chat from two terminals:",
    `  ${cli} --as customer --name Mia`,
    `  ${cli} --as agent`,
    "",
    `nats-server ${natsVersion}; logs in ${rel(logsDir)}; state in ${rel(stateDir)}.`,
    "Press Ctrl-C to stop.",
    "",
  ].join("\n");
}
