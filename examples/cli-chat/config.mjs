// The terminal chat's texts and set-up: its usage and command list, the
// demo's connection details (`.parley/demo/demo.json`), small JSON files kept
// beside them, and how it signs in (as the demo agent, or as a customer whose
// token it signs itself, playing the shop's backend).
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export const USAGE = `usage: node examples/cli-chat/chat.mjs --as customer --name <name> [--id <customerId>]
       node examples/cli-chat/chat.mjs --as agent
options:
  --config <file>              connection details (default .parley/demo/demo.json, written by npm run demo)
  --print-history-and-exit     print the latest messages of every conversation and exit
  --locale <tag>               how money is written, e.g. en or de-DE (default: the system's)
while chatting, /help lists the commands`;

/** The command line's options, for `parseArgs`. */
export const CLI_OPTIONS = {
  as: { type: "string" },
  name: { type: "string" },
  id: { type: "string" },
  config: { type: "string" },
  locale: { type: "string" },
  "print-history-and-exit": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
};

export const COMMANDS = `commands:
  /help                 this list
  /invites              your pending invites
  /accept [inviteId]    join the conversation you were invited to (the latest invite without an id)
  /decline [inviteId]   decline an invite (the latest without an id)
  /handle <name>        choose your @handle, so others can invite you
  /invite @handle       invite someone into the current conversation (they must accept)
  /to [convId]          write to another conversation you follow (/to alone: follow the latest activity)
  /quit                 leave (Ctrl-D too)`;

/** The JSON in `file`, or undefined when there is no such file. */
export async function readJson(file) {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    if (err.code === "ENOENT") return undefined;
    throw err;
  }
}

/** Writes `value` to `file` as JSON, readable by its owner only, in one step (a rename). */
export async function writeJson(file, value) {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * The demo's connection details from `configFile`: `{ demo, stateDir, origin }`;
 * throws an Error saying what to do when the file is missing or unreadable.
 */
export async function loadDemo(configFile) {
  let demo;
  try {
    demo = JSON.parse(await readFile(configFile, "utf8"));
  } catch (err) {
    throw new Error(
      err.code === "ENOENT"
        ? `${configFile} not found: start the demo first (npm run demo) or pass --config`
        : `cannot read ${configFile}: ${err.message}`,
    );
  }
  return { demo, stateDir: demo.stateDir ?? dirname(configFile), origin: new URL(demo.gatewayUrl).origin };
}

/**
 * How this run signs in, with the customer id (customers only):
 * the demo agent's login, or a customer token signed here.
 */
export function authFor({ args, demo, stateDir, signCustomerToken }) {
  if (args.as === "agent") {
    return { kind: "agent", shopId: demo.shopId, login: demo.agentLogin, password: demo.agentPassword };
  }
  const name = args.name;
  const id = args.id ?? (name.toLowerCase().replace(/[^a-z0-9_-]/g, "") || "customer");
  return {
    kind: "customer",
    shopId: demo.shopId,
    customerId: id,
    // This script plays the shop's backend here: a real storefront asks its own
    // server, which knows who is logged in and holds the shop's signing secret,
    // for this short-lived token. Never put the secret in a browser.
    getToken: async () => {
      const secrets = await readJson(join(stateDir, "secrets.json"));
      if (!secrets?.shopTokenSecret) throw new Error(`no shopTokenSecret in ${join(stateDir, "secrets.json")}`);
      return signCustomerToken({
        shopId: demo.shopId,
        key: { alg: "HS256", secret: secrets.shopTokenSecret },
        customer: { id, name },
      });
    },
  };
}
