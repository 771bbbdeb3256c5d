/** Shops: the tenants, with how their customer tokens are verified and where the widget may run. */
import type { MapTiles, ShopMedia } from "@parley/sdk/protocol";

export interface ShopRecord {
  id: string;
  name: string;
  /** How customer tokens are verified: an Ed25519 public key (JWK JSON or PEM) or an HS256 secret. */
  tokenKey: { alg: "EdDSA"; publicKey: string } | { alg: "HS256"; secret: string };
  /** Storefront origins allowed to embed the widget and open sessions, e.g. `https://shop.example`. */
  allowedOrigins: string[];
  allowGuests: boolean;
  /** The shop's map tile server (its origin joins the chat frame's `img-src`); absent, no map tiles. */
  mapTiles?: MapTiles;
  /** The shop's audio for listening together (its origins are the frame's `media-src`); absent, none. */
  media?: ShopMedia;
  createdAt: number;
}

export interface ShopStore {
  putShop(shop: ShopRecord): Promise<void>;
  getShop(id: string): Promise<ShopRecord | undefined>;
  /** Every shop, by id (the operator CLI's `shop list`). */
  listShops(): Promise<ShopRecord[]>;
  /** Every storefront origin any shop allows (for CORS preflights, which name no shop). */
  listAllowedOrigins(): Promise<string[]>;
}
