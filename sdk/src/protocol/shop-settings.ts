/**
 * A shop's public settings for its chat: the widget config the chat frame and
 * the dashboard read (`GET /widget/config/:shopId`), with the shop's own map
 * tile server and the audio its chat may play (issue 15).
 */

/**
 * A shop's own map tile server: with it, location messages show a small map
 * whose tiles come from `url` (and the chat frame's CSP allows exactly that
 * origin for images); without it, no map tile is ever fetched.
 */
export interface MapTiles {
  /** Tile URL template with `{z}`, `{x}` and `{y}` (optionally `{s}`-free), `https:` or `http://localhost`. */
  url: string;
  /** Attribution shown on the map (plain text), e.g. "© OpenStreetMap contributors". */
  attribution: string;
  /** Highest zoom the server serves (1..22). @default 19 */
  maxZoom?: number;
}

/** One track of a shop's catalog for listening together. */
export interface CatalogTrack {
  /** Id within the catalog (1-64 of [A-Za-z0-9_-]). */
  id: string;
  /** Title, plain text. */
  title: string;
  /** Artist, plain text. */
  artist?: string;
  /** The audio file; its origin must be one of the shop's media origins. */
  url: string;
  /** Length, ms. */
  durationMs: number;
}

/** Audio a shop lets its chat play: its catalog, and the origins tracks may come from. */
export interface ShopMedia {
  /** Origins audio may be played from (the frame's CSP `media-src`), e.g. `https://cdn.shop.example`. */
  origins: string[];
  /** The tracks the listen-together picker offers (each URL on one of `origins`). */
  catalog: CatalogTrack[];
}

/** `GET /widget/config/:shopId`: the shop's public widget settings. */
export interface WidgetConfig {
  /** The shop. */
  shopId: string;
  /** The shop's name. */
  name: string;
  /** Storefront origins that may embed the chat. */
  allowedOrigins: string[];
  /** Whether visitors may chat without signing in. */
  allowGuests: boolean;
  /** The shop's map tile server, if it has one. */
  mapTiles?: MapTiles;
  /** The shop's audio for listening together, if it offers any. */
  media?: ShopMedia;
}
