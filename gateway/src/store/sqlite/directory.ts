/**
 * The embedded store's directory aggregates: shops, principals (with the team
 * list), agents, devices and used token ids.
 */
import type { AgentRecord, AgentStore } from "../port/agents.js";
import type { DeviceRecord, DeviceStore } from "../port/devices.js";
import type { PrincipalRecord, PrincipalStore, SetHandleResult } from "../port/principals.js";
import type { ShopRecord, ShopStore } from "../port/shops.js";
import type { TokenIdStore } from "../port/token-ids.js";
import { isUniqueViolation } from "./errors.js";
import { toAgent, toDevice, toPrincipal, toShop } from "./rows.js";
import type { SqliteContext } from "./statements.js";

export class SqliteDirectory implements ShopStore, PrincipalStore, AgentStore, DeviceStore, TokenIdStore {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async putShop(shop: ShopRecord): Promise<void> {
    const { id, name, tokenKey, allowedOrigins, allowGuests, createdAt, mapTiles, media } = shop;
    await this.#c.write(() =>
      this.#c.s.putShop.run(
        id,
        name,
        JSON.stringify(tokenKey),
        JSON.stringify(allowedOrigins),
        allowGuests ? 1 : 0,
        createdAt,
        mapTiles ? JSON.stringify(mapTiles) : null,
        media ? JSON.stringify(media) : null,
      ),
    );
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    const row = this.#c.s.getShop.get(id);
    return row && toShop(row);
  }

  async listShops(): Promise<ShopRecord[]> {
    return this.#c.s.listShops.all().map(toShop);
  }

  /** Every origin any shop allows, deduplicated (for CORS preflights). */
  async listAllowedOrigins(): Promise<string[]> {
    return this.#c.s.allowedOrigins.all();
  }

  async ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord> {
    const { id, kind, shopId, externalId, displayName, handle, handleSkeleton, lastIp, createdAt } = init;
    await this.#c.write(() =>
      this.#c.s.insertPrincipal.run(
        id,
        kind,
        shopId,
        externalId,
        displayName,
        handle ?? null,
        createdAt,
        handle === undefined ? null : (handleSkeleton ?? null),
        lastIp ?? null,
      ),
    );
    const row = this.#c.s.principalByExternal.get(shopId, kind, externalId);
    if (!row) throw new Error(`principal (${shopId}, ${kind}, ${externalId}) vanished after insert`);
    return toPrincipal(row);
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const row = this.#c.s.getPrincipal.get(id);
    return row && toPrincipal(row);
  }

  async getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    if (ids.length === 0) return [];
    return this.#c.s.getPrincipals.all(JSON.stringify(ids)).map(toPrincipal);
  }

  async findPrincipalByHandle(shopId: string, handle: string): Promise<PrincipalRecord | undefined> {
    const row = this.#c.s.principalByHandle.get(shopId, handle);
    return row && toPrincipal(row);
  }

  async findPrincipalBySkeleton(shopId: string, skeleton: string): Promise<PrincipalRecord | undefined> {
    const row = this.#c.s.principalBySkeleton.get(shopId, skeleton);
    return row && toPrincipal(row);
  }

  async setHandle(principalId: string, handle: string, skeleton: string): Promise<SetHandleResult> {
    try {
      const { changes } = await this.#c.write(() => this.#c.s.setHandle.run(handle, skeleton, principalId));
      return changes === 1 ? "set" : "not_found";
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const principal = await this.getPrincipal(principalId);
      const holder = principal && (await this.findPrincipalByHandle(principal.shopId, handle));
      return holder && holder.id !== principalId ? "taken" : "confusable";
    }
  }

  async setLastIp(principalId: string, ip: string): Promise<void> {
    await this.#c.write(() => this.#c.s.setLastIp.run(ip, principalId));
  }

  async setDisplayName(principalId: string, displayName: string): Promise<void> {
    await this.#c.write(() => this.#c.s.setDisplayName.run(displayName, principalId));
  }

  async listTeam(shopId: string): Promise<PrincipalRecord[]> {
    return this.#c.s.listTeam.all(shopId).map(toPrincipal);
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    const { shopId, login, principalId, passwordHash, role } = agent;
    await this.#c.write(() => this.#c.s.putAgent.run(shopId, login, principalId, passwordHash, role));
  }

  async getAgent(shopId: string, login: string): Promise<AgentRecord | undefined> {
    const row = this.#c.s.getAgent.get(shopId, login);
    return row && toAgent(row);
  }

  async removeAgent(shopId: string, login: string): Promise<boolean> {
    return (await this.#c.write(() => this.#c.s.removeAgent.run(shopId, login))).changes === 1;
  }

  async putDevice(device: DeviceRecord): Promise<void> {
    const { principalId, deviceId, sigPk, boxPk, createdAt, lastSeenAt, sig } = device;
    await this.#c.write(() =>
      this.#c.s.putDevice.run(principalId, deviceId, sigPk, boxPk, createdAt, lastSeenAt, sig ?? null),
    );
  }

  async listDevices(principalId: string): Promise<DeviceRecord[]> {
    return this.#c.s.listDevices.all(principalId).map(toDevice);
  }

  async deviceOwners(deviceId: string): Promise<string[]> {
    return this.#c.s.deviceOwners.all(deviceId).map((row) => row.principal_id);
  }

  async deleteDevice(principalId: string, deviceId: string): Promise<void> {
    await this.#c.write(() => this.#c.s.deleteDevice.run(principalId, deviceId));
  }

  async consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    // Expired ids can go: a token past its expiry is refused before it gets here.
    await this.#c.write(() => this.#c.s.deleteExpiredTokens.run(Date.now()));
    return (await this.#c.write(() => this.#c.s.insertToken.run(issuer, jti, expiresAt))).changes === 1;
  }
}
