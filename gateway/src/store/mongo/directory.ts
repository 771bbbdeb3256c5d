/**
 * The MongoDB store's directory aggregates: shops, agents, devices and used
 * token ids (principals are in principals.ts).
 */
import type { MapTiles, ShopMedia } from "@parley/sdk/protocol";
import type { AgentRecord, AgentStore } from "../port/agents.js";
import type { DeviceRecord, DeviceStore } from "../port/devices.js";
import type { ShopRecord, ShopStore } from "../port/shops.js";
import type { TokenIdStore } from "../port/token-ids.js";
import { num, str } from "../rules/records.js";
import { NO_ID, type TokenIdDoc } from "./collections.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

/** A copy of the tile settings holding primitives only (whatever the caller's object carried). */
function mapTilesDoc(tiles: MapTiles): MapTiles {
  const doc: MapTiles = {
    url: str(tiles.url, "mapTiles.url"),
    attribution: str(tiles.attribution, "mapTiles.attribution"),
  };
  if (tiles.maxZoom !== undefined) doc.maxZoom = num(tiles.maxZoom, "mapTiles.maxZoom");
  return doc;
}

/** A copy of the media settings holding primitives only. */
function mediaDoc(media: ShopMedia): ShopMedia {
  return {
    origins: media.origins.map((o) => str(o, "media.origins")),
    catalog: media.catalog.map((t) => ({
      id: str(t.id, "track id"),
      title: str(t.title, "track title"),
      ...(t.artist !== undefined ? { artist: str(t.artist, "track artist") } : {}),
      url: str(t.url, "track url"),
      durationMs: num(t.durationMs, "track durationMs"),
    })),
  };
}

/** Where TTL indexes are missing (FerretDB v1), expired token ids are swept at most this often. */
const TOKEN_SWEEP_MS = 10_000;

export class MongoDirectory implements ShopStore, AgentStore, DeviceStore, TokenIdStore {
  readonly #c: MongoContext;
  /** True when the server has no TTL indexes and expired token ids are swept by `consumeTokenId`. */
  #sweepTokens = false;
  #lastSweep = 0;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  /** Called by `init()` when the server refused the TTL index on token ids. */
  sweepExpiredTokens(): void {
    this.#sweepTokens = true;
  }

  async putShop(shop: ShopRecord): Promise<void> {
    const id = str(shop.id, "shop id");
    const doc: ShopRecord = {
      id,
      name: shop.name,
      tokenKey:
        shop.tokenKey.alg === "EdDSA"
          ? { alg: "EdDSA", publicKey: shop.tokenKey.publicKey }
          : { alg: "HS256", secret: shop.tokenKey.secret },
      allowedOrigins: [...shop.allowedOrigins],
      allowGuests: shop.allowGuests,
      ...(shop.mapTiles ? { mapTiles: mapTilesDoc(shop.mapTiles) } : {}),
      ...(shop.media ? { media: mediaDoc(shop.media) } : {}),
      createdAt: shop.createdAt,
    };
    return this.#c.run(async () => {
      await this.#c.upsert(this.#c.col.shops, { id }, doc);
    });
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    return this.#c.run(async () => (await this.#c.col.shops.findOne({ id: str(id, "shop id") }, NO_ID)) ?? undefined);
  }

  async listShops(): Promise<ShopRecord[]> {
    return this.#c.run(() => this.#c.col.shops.find({}, NO_ID).sort({ id: 1 }).toArray());
  }

  /** Every origin any shop allows, deduplicated (for CORS preflights). */
  async listAllowedOrigins(): Promise<string[]> {
    return this.#c.run(async () => {
      const shops = await this.#c.col.shops.find({}, { projection: { _id: 0, allowedOrigins: 1 } }).toArray();
      return [...new Set(shops.flatMap((s) => s.allowedOrigins))].sort();
    });
  }

  async putAgent(agent: AgentRecord): Promise<void> {
    const key = { shopId: str(agent.shopId, "shopId"), login: str(agent.login, "login") };
    const doc: AgentRecord = {
      ...key,
      principalId: agent.principalId,
      passwordHash: agent.passwordHash,
      role: agent.role,
    };
    return this.#c.run(async () => {
      await this.#c.upsert(this.#c.col.agents, key, doc);
    });
  }

  async getAgent(shopId: string, login: string): Promise<AgentRecord | undefined> {
    const filter = { shopId: str(shopId, "shopId"), login: str(login, "login") };
    return this.#c.run(async () => (await this.#c.col.agents.findOne(filter, NO_ID)) ?? undefined);
  }

  async removeAgent(shopId: string, login: string): Promise<boolean> {
    const filter = { shopId: str(shopId, "shopId"), login: str(login, "login") };
    return this.#c.run(async () => (await this.#c.col.agents.deleteOne(filter)).deletedCount === 1);
  }

  async putDevice(device: DeviceRecord): Promise<void> {
    const key = { principalId: str(device.principalId, "principalId"), deviceId: str(device.deviceId, "deviceId") };
    // A whole-document replace: a put without `sig` leaves none stored.
    const doc: DeviceRecord = {
      ...key,
      sigPk: device.sigPk,
      boxPk: device.boxPk,
      createdAt: device.createdAt,
      lastSeenAt: device.lastSeenAt,
      ...(device.sig === undefined ? {} : { sig: str(device.sig, "sig") }),
    };
    return this.#c.run(async () => {
      await this.#c.upsert(this.#c.col.devices, key, doc);
    });
  }

  async listDevices(principalId: string): Promise<DeviceRecord[]> {
    const filter = { principalId: str(principalId, "principalId") };
    return this.#c.run(() => this.#c.col.devices.find(filter, NO_ID).sort({ createdAt: 1, deviceId: 1 }).toArray());
  }

  async deviceOwners(deviceId: string): Promise<string[]> {
    const filter = { deviceId: str(deviceId, "deviceId") };
    const docs = await this.#c.run(() =>
      this.#c.col.devices.find(filter, { projection: { _id: 0, principalId: 1 } }).toArray(),
    );
    return docs.map((d) => d.principalId);
  }

  async deleteDevice(principalId: string, deviceId: string): Promise<void> {
    const filter = { principalId: str(principalId, "principalId"), deviceId: str(deviceId, "deviceId") };
    await this.#c.run(() => this.#c.col.devices.deleteOne(filter));
  }

  async consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean> {
    const doc: TokenIdDoc = {
      issuer: str(issuer, "issuer"),
      jti: str(jti, "jti"),
      expiresAt: new Date(num(expiresAt, "expiresAt")),
    };
    return this.#c.run(async () => {
      const now = Date.now();
      if (this.#sweepTokens && now - this.#lastSweep >= TOKEN_SWEEP_MS) {
        this.#lastSweep = now;
        await this.#c.col.tokenIds.deleteMany({ expiresAt: { $lte: new Date(now) } });
      }
      try {
        await this.#c.col.tokenIds.insertOne(doc);
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    });
  }
}
