#!/usr/bin/env node
// A terminal chat on Parley's public SDK: a customer of the demo shop, or the
// shop's agent, end-to-end encrypted like the widget, the dashboard and the bot.
// Start the demo first (`npm run demo`), then, in two terminals:
//
//   node examples/cli-chat/chat.mjs --as customer --name Mia
//   node examples/cli-chat/chat.mjs --as agent
//
// Lines you type are sent; /help lists the commands (invites, handles, switching
// conversations). Cards (orders, menus, group carts, bill splits) print as a few
// readable lines, and their updates as one line each (cards.mjs). Each run is
// the same device: its keys live in a file next to the demo's state. When stdin closes (a pipe), pending sends finish and it exits.
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { messageText, pickLocale } from "./cards.mjs";
import { authFor, CLI_OPTIONS, COMMANDS, loadDemo, readJson, USAGE, writeJson } from "./config.mjs";
import { connectWithTeamKey } from "./team-key.mjs";

const HISTORY_LINES = 20;
const SEND_TIMEOUT_MS = 15_000;
/** How long a new agent device waits for an admin's device to hand it the team key. */
const TEAM_KEY_WAIT_MS = 60_000;

const out = (line) => process.stdout.write(`${line}\n`);
const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const { values: args } = parseArgs({ options: CLI_OPTIONS });
if (args.help) {
  out(USAGE);
  process.exit(0);
}
if (args.as !== "customer" && args.as !== "agent") fail(`--as customer or --as agent is required\n${USAGE}`);
if (args.as === "customer" && !args.name) fail(`--name is required for a customer\n${USAGE}`);

// Public entry points only, resolved through the workspace to the built packages.
let sdk;
let server;
let cards;
let WebSocket;
try {
  sdk = await import("@parley/sdk");
  server = await import("@parley/sdk/server");
  cards = await import("@parley/sdk/cards");
  ({ default: WebSocket } = await import("ws"));
} catch (err) {
  fail(`cannot load the SDK (${err.message}).\nRun \`npm run demo\` first: it installs and builds the packages.`);
}
const { createClient, ParleyError } = sdk;

// -- configuration ----------------------------------------------------------------------

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const configFile = resolve(args.config ?? join(root, ".parley/demo/demo.json"));
let demo;
let stateDir;
let origin;
try {
  ({ demo, stateDir, origin } = await loadDemo(configFile));
} catch (err) {
  fail(err.message);
}

// -- the client -------------------------------------------------------------------------

const { customerId, ...auth } = authFor({
  args,
  demo,
  stateDir,
  signCustomerToken: server.signCustomerToken,
});
// End-to-end encrypted (the SDK's default). The device's keys, the team key (agent), the
// session and the outbox live in this file, so every run is the same device.
const storage = server.fileStorage(
  join(stateDir, args.as === "agent" ? "cli-agent.keys.json" : `cli-${customerId}.keys.json`),
);
const makeClient = () =>
  createClient({
    gatewayUrl: demo.gatewayUrl,
    auth,
    storage,
    WebSocket, // ws, not the global WebSocket: it can send the Origin header below
    origin, // the NATS WebSocket listener only accepts allowed origins
  });

let client;
let me;
try {
  ({ client, me } = await connectWithTeamKey(makeClient, {
    team: args.as === "agent",
    waitMs: TEAM_KEY_WAIT_MS,
    say: out,
  }));
} catch (err) {
  fail(`cannot connect to ${demo.gatewayUrl}: ${err.message}\nIs the demo running (npm run demo)?`);
}

/** Display names per conversation: principalId -> name. */
const names = new Map();
/** Conversations this terminal follows, and the one typed lines go to. */
const followed = new Set();
let target;
let pinned = false;

async function refreshMembers(convId) {
  const members = await client.members(convId);
  const byId = names.get(convId) ?? new Map();
  for (const m of members) byId.set(m.principalId, m.handle ? `${m.displayName} (@${m.handle})` : m.displayName);
  names.set(convId, byId);
}

function senderName(convId, principalId) {
  if (principalId === me.id) return "you";
  const known = names.get(convId)?.get(principalId);
  if (known) return known;
  // Team members may answer without being members of the conversation.
  if (principalId.startsWith("a_")) return "shop agent";
  if (principalId.startsWith("b_")) return "shop bot";
  return principalId;
}

let locale;
try {
  locale = pickLocale(args.locale);
} catch (err) {
  fail(err.message);
}

/** The conversation's cards as every client folds them (its loaded messages and `message`), for printing. */
function cardContext(convId, message) {
  const board = cards.foldCards([...client.conversation(convId).value.messages, message]);
  return { board, locale, name: (principalId) => senderName(convId, principalId) };
}

function format(convId, message) {
  const text = messageText(message, () => cardContext(convId, message));
  if (text === undefined) return undefined;
  const prefix = args.as === "agent" || followed.size > 1 ? `[${convId}] ` : "";
  return `${prefix}${senderName(convId, message.sender)}: ${text}`;
}

/** Per conversation: seqs shown as unreadable, printed again once a key arrives (a history grant, the team key). */
const locked = new Map();

function print(convId, message) {
  const line = format(convId, message);
  if (line === undefined) return;
  out(line);
  if (message.body === undefined) locked.get(convId)?.add(message.seq);
}

async function follow(convId, { quiet = false } = {}) {
  if (!followed.has(convId)) {
    followed.add(convId);
    const waiting = new Set();
    locked.set(convId, waiting);
    client.conversation(convId).subscribe((state) => {
      if (waiting.size === 0) return;
      for (const m of state.messages) {
        if (m.body === undefined || !waiting.has(m.seq)) continue;
        waiting.delete(m.seq);
        print(convId, m);
      }
    });
  }
  const state = await client.loadConversation(convId);
  await refreshMembers(convId).catch(() => undefined);
  if (!quiet) for (const m of state.messages.slice(-HISTORY_LINES)) print(convId, m);
  return state;
}

function setTarget(convId, why) {
  if (target === convId) return;
  target = convId;
  if (why && process.stdin.isTTY) out(`(now replying to ${convId}${why})`);
}

/** The customer's conversation: resumed from cli-<id>.json, or opened. */
async function customerConversation() {
  const file = join(stateDir, `cli-${customerId}.json`);
  const saved = await readJson(file);
  if (saved?.convId) {
    try {
      await follow(saved.convId);
      return saved.convId;
    } catch (err) {
      if (!(err instanceof ParleyError)) throw err;
      out(`(conversation ${saved.convId} is gone: ${err.message}; opening a new one)`);
    }
  }
  const conversation = await client.openConversation();
  await writeJson(file, { convId: conversation.id });
  await follow(conversation.id);
  return conversation.id;
}

/** The agent follows every conversation of the shop; replies go to the most recently active one. */
async function agentConversations() {
  const conversations = await client.listConversations(50);
  conversations.sort((a, b) => a.updatedAt - b.updatedAt);
  for (const c of conversations) await follow(c.id);
  return conversations.at(-1)?.id;
}

// -- events -----------------------------------------------------------------------------

client.on("message", ({ conversationId, message }) => {
  if (message.sender === me.id) return; // typed here (or on another device of ours)
  const show = () => print(conversationId, message);
  if (!names.get(conversationId)?.has(message.sender)) refreshMembers(conversationId).then(show, show);
  else show();
  if (args.as === "agent" && !pinned) setTarget(conversationId, " - the latest activity");
});
client.on("conversation", (conversation) => {
  // Customers follow what they open or accept; the team hears of every new conversation of the shop.
  if (args.as !== "agent" || followed.has(conversation.id)) return;
  out(`(new conversation ${conversation.id})`);
  follow(conversation.id, { quiet: true }).then(
    () => {
      if (!pinned) setTarget(conversation.id, "");
    },
    (err) => out(`(cannot load ${conversation.id}: ${err.message})`),
  );
});
client.on("membership", (event) => {
  refreshMembers(event.convId).then(
    () => out(`(${senderName(event.convId, event.principalId)} ${event.change} ${event.convId})`),
    () => undefined,
  );
});
/** Invites waiting for an answer, oldest first. */
const invites = new Map();
const announce = (invite) => {
  invites.set(invite.id, invite);
  out(`(${invite.inviterName} invites you to ${invite.convId}: /accept ${invite.id} or /decline ${invite.id})`);
};
client.on("invite", announce);
client.on("status", (status) => {
  if (status.state === "reconnecting") out("(connection lost; reconnecting...)");
  else if (status.state === "connected") out("(reconnected)");
});

// -- start ------------------------------------------------------------------------------

try {
  if (args.as === "customer") {
    target = await customerConversation();
  } else {
    target = await agentConversations();
  }
} catch (err) {
  await client.close();
  fail(`cannot load conversations: ${err.message}`);
}

// Invites that came while this terminal was closed.
for (const invite of await client.pendingInvites().catch(() => [])) announce(invite);

if (args["print-history-and-exit"]) {
  await client.close();
  process.exit(0);
}

const interactive = process.stdin.isTTY === true;
if (interactive) {
  out(
    args.as === "customer"
      ? `Signed in as ${me.displayName} (customer ${customerId}) in ${target}, end-to-end encrypted. Type to chat; /help lists the commands.`
      : `Signed in as ${me.displayName}${me.handle ? ` (@${me.handle})` : ""}, following ${followed.size} conversation(s)` +
          `${target ? `; replying to ${target}` : "; waiting for a customer"}. /help lists the commands.`,
  );
}

/** Sends in flight; the exit waits for them. */
const inflight = new Set();
let failures = 0;

function send(text) {
  if (!target) {
    out("(no conversation yet: wait for a customer to write)");
    return;
  }
  const convId = target;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("not acknowledged in time")), SEND_TIMEOUT_MS);
  });
  const p = Promise.race([client.send(convId, text), timeout])
    .catch((err) => {
      failures++;
      out(`(not sent: ${err.message})`);
    })
    .finally(() => {
      clearTimeout(timer);
      inflight.delete(p);
    });
  inflight.add(p);
}

async function command(line) {
  const [cmd, ...rest] = line.slice(1).trim().split(/\s+/);
  const arg = rest.join(" ");
  switch (cmd) {
    case "quit":
      return "quit";
    case "invite": {
      if (!target) return out("(no conversation to invite into)");
      const invite = await client.invite(target, arg.replace(/^@/, ""));
      return out(`(invited @${arg.replace(/^@/, "")} to ${target}; they must accept: ${invite.id})`);
    }
    case "handle": {
      const principal = await client.updateProfile({ handle: arg.replace(/^@/, "").toLowerCase() });
      me = principal;
      return out(`(your handle is now @${principal.handle}; others can /invite @${principal.handle})`);
    }
    case "invites": {
      if (invites.size === 0) return out("(no pending invites)");
      for (const i of invites.values()) out(`(${i.inviterName} invites you to ${i.convId}: /accept ${i.id})`);
      return;
    }
    case "accept": {
      const invite = pickInvite(arg);
      if (!invite) return;
      const conversation = await client.acceptInvite(invite.id);
      invites.delete(invite.id);
      out(`(joined ${conversation.id})`);
      await follow(conversation.id);
      return setTarget(conversation.id, " - joined");
    }
    case "decline": {
      const invite = pickInvite(arg);
      if (!invite) return;
      await client.declineInvite(invite.id);
      invites.delete(invite.id);
      return out(`(declined invite ${invite.id}${invite.convId ? ` to ${invite.convId}` : ""})`);
    }
    case "to": {
      if (!arg) {
        pinned = false;
        return out("(replies follow the latest activity again)");
      }
      if (!followed.has(arg)) await follow(arg);
      pinned = true;
      target = arg;
      return out(`(replying to ${arg})`);
    }
    case "help":
      return out(COMMANDS);
    default:
      return out(`(unknown command /${cmd}; /help lists the commands)`);
  }
}

/** The invite `id` names, or the latest one when no id is given. */
function pickInvite(id) {
  const invite = id ? (invites.get(id) ?? { id }) : [...invites.values()].at(-1);
  if (!invite) out("(no pending invites)");
  return invite;
}

const rl = createInterface({ input: process.stdin, terminal: interactive });
let quitting = false;

async function quit(code) {
  if (quitting) return;
  quitting = true;
  rl.close();
  while (inflight.size > 0) await Promise.allSettled([...inflight]);
  await client.close();
  process.exit(code ?? (failures > 0 ? 1 : 0));
}

/** Lines are handled one at a time, in order. */
let queue = Promise.resolve();
rl.on("line", (raw) => {
  const line = raw.trim();
  if (!line) return;
  queue = queue.then(async () => {
    if (quitting) return;
    if (!line.startsWith("/")) return send(line);
    try {
      if ((await command(line)) === "quit") await quit();
    } catch (err) {
      out(`(${err instanceof ParleyError ? err.code : "error"}: ${err.message})`);
    }
  });
});
rl.on("close", () => {
  queue.then(() => quit());
});
process.on("SIGINT", () => void quit());
