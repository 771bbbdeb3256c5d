/**
 * `parley-gateway agent add|remove` and `bot add`: a shop's team logins
 * through the admin API (`POST /v1/admin/shops/<id>/agents`, `DELETE
 * .../agents/<login>`). A password comes from a file (or stdin with `-`),
 * never from the command line; without one a random password is made and
 * printed once. Removing a login revokes its sessions at once.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { ADMIN_OPTIONS, ADMIN_USAGE, AdminClient } from "./admin-client.js";
import { type Command, ExitCodes, helpOrUnknown, parse, positionals, UsageError } from "./args.js";

const addOptions = {
  ...ADMIN_OPTIONS,
  name: { type: "string" },
  handle: { type: "string" },
  "password-file": { type: "string" },
} as const;

const passwordUsage = `  --name NAME          the display name (required)
  --handle HANDLE      the login's handle, lowercase (optional)
  --password-file F    read the password from F (\`-\`: stdin); default: make one and print it once
`;

const agentAddUsage = `Usage: parley-gateway agent add <shop-id> <login> --name NAME [options]

Adds an agent login to a shop, or resets an existing one's name, role and
password (a changed password ends its sessions).

Options:
  --role ROLE          admin or agent (default: agent); an admin's device makes and rotates the team key
${passwordUsage}${ADMIN_USAGE}`;

const agentRemoveUsage = `Usage: parley-gateway agent remove <shop-id> <login> [options]

Removes an agent or bot login and ends its sessions; its messages stay.

Options:
${ADMIN_USAGE}`;

const botAddUsage = `Usage: parley-gateway bot add <shop-id> <login> --name NAME [options]

Adds a bot login to a shop (docs/bots.md): the bot signs in with it and gets
a NATS key of its own.

Options:
${passwordUsage}${ADMIN_USAGE}`;

export const agentCommand: Command = {
  usage: `Usage: parley-gateway agent add|remove ...\n\n${agentAddUsage}\n${agentRemoveUsage}`,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === "add") return addLogin(rest, "agent");
    if (sub === "remove") return removeLogin(rest);
    return helpOrUnknown("agent", sub, this.usage, "add, remove");
  },
};

export const botCommand: Command = {
  usage: `Usage: parley-gateway bot add ...\n\n${botAddUsage}`,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === "add") return addLogin(rest, "bot");
    return helpOrUnknown("bot", sub, this.usage, "add");
  },
};

async function addLogin(args: string[], kind: "agent" | "bot"): Promise<number> {
  const options = kind === "agent" ? { ...addOptions, role: { type: "string" } } : addOptions;
  const { values, positionals: rest } = parse(args, options as typeof addOptions & { role: { type: "string" } });
  if (values.help) {
    process.stdout.write(kind === "agent" ? agentAddUsage : botAddUsage);
    return ExitCodes.ok;
  }
  const [shopId = "", login = ""] = positionals(rest, ["shop-id", "login"]);
  if (!values.name) throw new UsageError("--name is required");
  const role = values.role ?? "agent";
  if (role !== "agent" && role !== "admin") throw new UsageError("--role must be admin or agent");
  const client = await AdminClient.fromOptions(values);
  const given = values["password-file"] ? await readPassword(values["password-file"]) : undefined;
  const password = given ?? randomBytes(18).toString("base64url");
  const { agent } = await client.call<{ agent: { login: string; role: string; principal: { id: string } } }>(
    "POST",
    `/shops/${encodeURIComponent(shopId)}/agents`,
    { login, password, displayName: values.name, role, kind, ...(values.handle ? { handle: values.handle } : {}) },
  );
  process.stdout.write(
    `${kind} ${agent.login} added to ${shopId} (${kind === "bot" ? "bot" : agent.role}, principal ${agent.principal.id})\n`,
  );
  if (!given) process.stdout.write(`password: ${password}\n(shown once: keep it now)\n`);
  return ExitCodes.ok;
}

async function removeLogin(args: string[]): Promise<number> {
  const { values, positionals: rest } = parse(args, ADMIN_OPTIONS);
  if (values.help) {
    process.stdout.write(agentRemoveUsage);
    return ExitCodes.ok;
  }
  const [shopId = "", login = ""] = positionals(rest, ["shop-id", "login"]);
  const client = await AdminClient.fromOptions(values);
  await client.call("DELETE", `/shops/${encodeURIComponent(shopId)}/agents/${encodeURIComponent(login)}`);
  process.stdout.write(`${login} removed from ${shopId}; its sessions are revoked\n`);
  return ExitCodes.ok;
}

async function readPassword(path: string): Promise<string> {
  try {
    const text = path === "-" ? await readStdin() : await readFile(path, "utf8");
    // One trailing newline (what `echo` and editors add) is not part of the password.
    return text.replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(`cannot read --password-file ${path}: ${(error as Error).message}`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
