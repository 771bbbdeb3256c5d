// What the demo prints once everything runs: each URL, the logins, and how to
// chat from two terminals.
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
import { CLI_CHAT } from "./packages.mjs";
import { SEEDED_CUSTOMERS } from "./seed.mjs";

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
    `  Bot              @${BOT_HANDLE} answers opening hours and order status (log in as Mia and ask "where is PX-1001?")`,
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
