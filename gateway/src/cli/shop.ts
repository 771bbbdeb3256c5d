/**
 * `parley-gateway shop add|list`: registers a shop through the admin API
 * (`PUT /v1/admin/shops/<id>`) and lists the shops with their team logins
 * (`GET /v1/admin/shops`). `shop add` makes the shop's Ed25519 token key pair
 * unless it is given a public key or an HS256 secret: the private half goes
 * to a file (0600) for the shop's backend, the public half to the gateway.
 */
import { readFile, writeFile } from "node:fs/promises";
import { generateShopKeyPair } from "@parley/sdk/server";
import type { ShopView } from "../service/shop-admin.js";
import { ADMIN_OPTIONS, ADMIN_USAGE, AdminApiError, AdminClient } from "./admin-client.js";
import {
  type Command,
  CommandError,
  ExistsError,
  ExitCodes,
  helpOrUnknown,
  parse,
  positionals,
  UsageError,
} from "./args.js";

const addUsage = `Usage: parley-gateway shop add <shop-id> --name NAME [options]

Registers a shop with a running gateway. Without --public-key or
--hs256-secret-file it makes an Ed25519 key pair: the private key (JWK) goes
to --key-out for the shop's backend, which signs customer tokens with it.

Options:
  --name NAME             the shop's name (required)
  --origin ORIGIN         a storefront origin that may embed the widget; repeatable
  --allow-guests          let visitors without a customer token chat
  --public-key FILE       the shop's Ed25519 public key (JWK JSON or SPKI PEM)
  --hs256-secret-file F   an HS256 secret (32 to 512 characters) instead of a key pair
  --key-out FILE          where the new private key goes (default: <shop-id>-token-key.jwk)
  --map-tiles FILE        JSON of the shop's mapTiles setting (docs/running.md)
  --media FILE            JSON of the shop's media setting (docs/running.md)
  --replace               replace a shop that exists (its settings and key)
${ADMIN_USAGE}`;

const listUsage = `Usage: parley-gateway shop list [options]

Lists the gateway's shops with their origins and team logins.

Options:
  --json               print the admin API's JSON instead of a table
${ADMIN_USAGE}`;

const usage = `Usage: parley-gateway shop add|list ...

${addUsage}
${listUsage}`;

export const shopCommand: Command = {
  usage,
  async run(args) {
    const [sub, ...rest] = args;
    if (sub === "add") return shopAdd(rest);
    if (sub === "list") return shopList(rest);
    return helpOrUnknown("shop", sub, usage, "add, list");
  },
};

async function shopAdd(args: string[]): Promise<number> {
  const { values, positionals: rest } = parse(args, {
    ...ADMIN_OPTIONS,
    name: { type: "string" },
    origin: { type: "string", multiple: true },
    "allow-guests": { type: "boolean" },
    "public-key": { type: "string" },
    "hs256-secret-file": { type: "string" },
    "key-out": { type: "string" },
    "map-tiles": { type: "string" },
    media: { type: "string" },
    replace: { type: "boolean" },
  });
  if (values.help) {
    process.stdout.write(addUsage);
    return ExitCodes.ok;
  }
  const [shopId = ""] = positionals(rest, ["shop-id"]);
  if (!values.name) throw new UsageError("--name is required");
  if (values["public-key"] && values["hs256-secret-file"])
    throw new UsageError("give --public-key or --hs256-secret-file, not both");
  const client = await AdminClient.fromOptions(values);
  if (!values.replace && (await shopExists(client, shopId))) {
    throw new ExistsError(`shop ${shopId} exists: pass --replace to replace its settings and key`);
  }
  let tokenKey: { alg: "EdDSA"; publicKey: string } | { alg: "HS256"; secret: string };
  let privateKey: { path: string; jwk: string } | undefined;
  if (values["public-key"])
    tokenKey = { alg: "EdDSA", publicKey: (await readText(values["public-key"], "--public-key")).trim() };
  else if (values["hs256-secret-file"]) {
    tokenKey = { alg: "HS256", secret: (await readText(values["hs256-secret-file"], "--hs256-secret-file")).trim() };
  } else {
    const pair = await generateShopKeyPair();
    tokenKey = { alg: "EdDSA", publicKey: pair.publicKey };
    privateKey = { path: values["key-out"] ?? `${shopId}-token-key.jwk`, jwk: pair.privateKey };
    // Written before the shop is registered (and never over an existing file): a key the gateway knows is never lost.
    await writeFile(privateKey.path, `${privateKey.jwk}\n`, { mode: 0o600, flag: "wx" }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") throw new ExistsError(`${privateKey?.path} exists: pick another --key-out`);
        throw new CommandError(`cannot write ${privateKey?.path}: ${error.message}`);
      },
    );
  }
  const body = {
    name: values.name,
    tokenKey,
    allowedOrigins: values.origin ?? [],
    allowGuests: Boolean(values["allow-guests"]),
    ...(values["map-tiles"] ? { mapTiles: await readJson(values["map-tiles"], "--map-tiles") } : {}),
    ...(values.media ? { media: await readJson(values.media, "--media") } : {}),
  };
  await client.call("PUT", `/shops/${encodeURIComponent(shopId)}`, body);
  process.stdout.write(`shop ${shopId} registered (${tokenKey.alg})\n`);
  if (privateKey)
    process.stdout.write(`its private token key is in ${privateKey.path} (mode 0600): give it to the shop's backend\n`);
  return ExitCodes.ok;
}

async function shopList(args: string[]): Promise<number> {
  const { values, positionals: rest } = parse(args, { ...ADMIN_OPTIONS, json: { type: "boolean" } });
  if (values.help) {
    process.stdout.write(listUsage);
    return ExitCodes.ok;
  }
  positionals(rest, []);
  const client = await AdminClient.fromOptions(values);
  const { shops } = await client.call<{ shops: ShopView[] }>("GET", "/shops");
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ shops }, null, 2)}\n`);
    return ExitCodes.ok;
  }
  if (shops.length === 0) process.stdout.write("no shops yet: add one with `parley-gateway shop add`\n");
  for (const shop of shops) {
    process.stdout.write(
      `${shop.id}  ${shop.name}  key ${shop.tokenKeyAlg}  guests ${shop.allowGuests ? "yes" : "no"}\n` +
        `  origins: ${shop.allowedOrigins.join(", ") || "(none)"}\n`,
    );
    for (const member of shop.team) {
      const kind = member.principal.kind === "bot" ? "bot" : member.role;
      const handle = member.principal.handle ? ` @${member.principal.handle}` : "";
      process.stdout.write(`  ${kind.padEnd(5)}  ${member.login}  ${member.principal.displayName}${handle}\n`);
    }
    if (shop.team.length === 0) process.stdout.write("  (no team logins)\n");
  }
  return ExitCodes.ok;
}

async function shopExists(client: AdminClient, shopId: string): Promise<boolean> {
  try {
    await client.call("GET", `/shops/${encodeURIComponent(shopId)}`);
    return true;
  } catch (error) {
    if (error instanceof AdminApiError && error.code === "not_found" && !error.message.includes("disabled"))
      return false;
    throw error;
  }
}

async function readText(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${option} ${path}: ${(error as Error).message}`);
  }
}

async function readJson(path: string, option: string): Promise<unknown> {
  const text = await readText(path, option);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${option} ${path} is not JSON: ${(error as Error).message}`);
  }
}
