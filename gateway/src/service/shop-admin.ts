/**
 * Registering shops and their teams: through the admin API or a shops file
 * loaded at start (same schemas for both). Changing an agent's password
 * (re-adding it with another, or `setPassword`) and removing an agent revoke
 * every session of its principal, then call `onRevoked`.
 */
import { readFile } from "node:fs/promises";
import {
  displayNameSchema,
  handleSchema,
  idSchema,
  type PrincipalInfo,
  randomId,
  TeamKinds,
} from "@parley/sdk/protocol";
import { z } from "zod";
import { importTokenKey } from "../auth/customer-token.js";
import { hashPassword, verifyPassword } from "../auth/passwords.js";
import { GatewayError } from "../errors.js";
import type { AgentStore, PrincipalStore, SessionStore, ShopRecord, ShopStore } from "../store/port.js";
import { storeHandle } from "./handles.js";
import { toPrincipalInfo } from "./profile.js";
import type { OnRevoked } from "./sessions.js";
import { mapTilesSchema, originSchema, shopMediaSchema } from "./shop-features.js";

export const shopInputSchema = z.strictObject({
  name: displayNameSchema,
  tokenKey: z.discriminatedUnion("alg", [
    z.strictObject({ alg: z.literal("EdDSA"), publicKey: z.string().min(40).max(2000) }),
    z.strictObject({ alg: z.literal("HS256"), secret: z.string().min(32, "must be at least 32 characters").max(512) }),
  ]),
  allowedOrigins: z.array(originSchema).max(50).default([]),
  allowGuests: z.boolean().default(false),
  /** The shop's map tile server; absent, location messages show no map. */
  mapTiles: mapTilesSchema.optional(),
  /** The shop's audio for listening together; absent, there is nothing to play. */
  media: shopMediaSchema.optional(),
});
export type ShopInput = z.input<typeof shopInputSchema>;

export const agentInputSchema = z.strictObject({
  login: z.string().min(1).max(120),
  password: z.string().min(10, "must be at least 10 characters").max(1024),
  displayName: displayNameSchema,
  role: z.enum(["admin", "agent"]).default("agent"),
  handle: handleSchema.optional(),
  kind: z.enum(TeamKinds).default("agent"),
});
export type AgentInput = z.input<typeof agentInputSchema>;

const shopsFileSchema = z.strictObject({
  shops: z.array(shopInputSchema.extend({ id: idSchema, agents: z.array(agentInputSchema).default([]) })),
});

export const passwordInputSchema = z.strictObject({ password: agentInputSchema.shape.password });

/** A shop as the admin API shows it: no token key (only its algorithm) and its current team logins. */
export interface ShopView extends Omit<ShopRecord, "tokenKey"> {
  tokenKeyAlg: ShopRecord["tokenKey"]["alg"];
  team: { login: string; role: "admin" | "agent"; principal: PrincipalInfo }[];
}

/** What {@link ShopAdmin} needs besides the store. */
export interface ShopAdminOptions {
  /** Called after an agent's sessions were revoked (awaited): the place to disconnect its live NATS connections. */
  onRevoked?: OnRevoked | undefined;
  /** The clock of revocations. @default Date.now */
  now?: () => number;
}

export class ShopAdmin {
  constructor(
    private readonly store: ShopStore & PrincipalStore & AgentStore & SessionStore,
    private readonly options: ShopAdminOptions = {},
  ) {}

  /** Revokes every session of a principal, then tells the hook (with the id of the request that did it). */
  async #revoke(principalId: string, reason: "removed" | "password_changed", requestId?: string): Promise<void> {
    await this.store.revokeSessionsOf(principalId, (this.options.now ?? Date.now)(), reason);
    await this.options.onRevoked?.(principalId, reason, requestId);
  }

  async putShop(shopId: string, input: z.output<typeof shopInputSchema>): Promise<Omit<ShopRecord, "tokenKey">> {
    // A key that does not parse would fail every customer's session later: refuse it now.
    await importTokenKey(input.tokenKey);
    const existing = await this.store.getShop(shopId);
    const shop: ShopRecord = { id: shopId, ...input, createdAt: existing?.createdAt ?? Date.now() };
    await this.store.putShop(shop);
    const { tokenKey: _secret, ...visible } = shop;
    return visible;
  }

  /** Adds or replaces a team login; a replaced one's sessions end, told with `requestId` (the admin request's). */
  async addAgent(
    shopId: string,
    input: z.output<typeof agentInputSchema>,
    requestId?: string,
  ): Promise<{ login: string; role: string; principal: PrincipalInfo }> {
    if (!(await this.store.getShop(shopId))) throw new GatewayError("not_found", "no such shop");
    const before = await this.store.getAgent(shopId, input.login);
    const principal = await this.store.ensurePrincipal({
      id: randomId(input.kind === "bot" ? "b_" : "a_"),
      kind: input.kind,
      shopId,
      externalId: input.login,
      displayName: input.displayName,
      createdAt: Date.now(),
    });
    await this.store.setDisplayName(principal.id, input.displayName);
    if (input.handle && input.handle !== principal.handle) await storeHandle(this.store, principal.id, input.handle);
    await this.store.putAgent({
      shopId,
      login: input.login,
      principalId: principal.id,
      passwordHash: await hashPassword(input.password),
      role: input.role,
    });
    // Re-added with another password (an admin's reset): the old sessions end. Same password: nothing changes.
    if (before && before.principalId !== principal.id) await this.#revoke(before.principalId, "removed", requestId);
    else if (before && !(await verifyPassword(before.passwordHash, input.password))) {
      await this.#revoke(before.principalId, "password_changed", requestId);
    }
    const saved = (await this.store.getPrincipal(principal.id)) ?? principal;
    return { login: input.login, role: input.role, principal: toPrincipalInfo(saved) };
  }

  /** One shop with its team (`not_found` when there is none). */
  async getShop(shopId: string): Promise<ShopView> {
    const shop = await this.store.getShop(shopId);
    if (!shop) throw new GatewayError("not_found", "no such shop");
    return this.#view(shop);
  }

  /** Every shop with its team, by id. */
  async listShops(): Promise<ShopView[]> {
    const views: ShopView[] = [];
    for (const shop of await this.store.listShops()) views.push(await this.#view(shop));
    return views;
  }

  async #view({ tokenKey, ...shop }: ShopRecord): Promise<ShopView> {
    const team: ShopView["team"] = [];
    for (const p of await this.store.listTeam(shop.id)) {
      // A removed login's principal stays (its messages keep their author) but is no member.
      const agent = await this.store.getAgent(shop.id, p.externalId);
      if (agent?.principalId === p.id)
        team.push({ login: agent.login, role: agent.role, principal: toPrincipalInfo(p) });
    }
    return { ...shop, tokenKeyAlg: tokenKey.alg, team };
  }

  /**
   * Sets an agent's password and revokes its sessions (told with `requestId`); `not_found` when there is no
   * such agent.
   */
  async setPassword(
    login: { shopId: string; login: string },
    input: z.output<typeof passwordInputSchema>,
    requestId?: string,
  ): Promise<void> {
    const agent = await this.store.getAgent(login.shopId, login.login);
    if (!agent) throw new GatewayError("not_found", "no such agent");
    await this.store.putAgent({ ...agent, passwordHash: await hashPassword(input.password) });
    await this.#revoke(agent.principalId, "password_changed", requestId);
  }

  /**
   * Removes an agent (or bot) login and revokes its sessions; `not_found` when there is none. Its
   * principal stays (its messages keep their author). The events its removal causes carry `requestId`.
   */
  async removeAgent(shopId: string, login: string, requestId?: string): Promise<{ principalId: string }> {
    const agent = await this.store.getAgent(shopId, login);
    if (!agent || !(await this.store.removeAgent(shopId, login))) throw new GatewayError("not_found", "no such agent");
    await this.#revoke(agent.principalId, "removed", requestId);
    return { principalId: agent.principalId };
  }

  /** Loads a shops file (JSON: `{shops: [{id, name, tokenKey, allowedOrigins, allowGuests, mapTiles?, media?, agents: [...]}]}`). */
  async loadFile(path: string): Promise<number> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(path, "utf8"));
    } catch (err) {
      throw new Error(`cannot read shops file ${path}: ${(err as Error).message}`);
    }
    const parsed = shopsFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`invalid shops file ${path}: ${issue?.path.join(".")}: ${issue?.message}`);
    }
    // Every shop's key is checked before any shop is stored: a bad file changes nothing.
    for (const [i, { id, tokenKey }] of parsed.data.shops.entries()) {
      try {
        await importTokenKey(tokenKey);
      } catch (err) {
        throw new Error(`invalid shops file ${path}: shops.${i}.tokenKey (shop ${id}): ${(err as Error).message}`);
      }
    }
    for (const { id, agents, ...shop } of parsed.data.shops) {
      await this.putShop(id, shop);
      for (const agent of agents) await this.addAgent(id, agent);
    }
    return parsed.data.shops.length;
  }
}
