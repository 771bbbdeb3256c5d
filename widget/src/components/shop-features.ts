/**
 * What a shop offers beyond text, as the chat's elements receive it: its map
 * tile server and its audio catalog, both from the shop's public widget config
 * (`GET /widget/config/:shopId`). `<parley-chat>` takes it as `.features` and
 * hands it to `<parley-message-list>`, every `<parley-message>` and
 * `<parley-composer>` (same property name), where the location and
 * listen-together views read it.
 */
import type { MapTiles, ShopMedia, WidgetConfig } from "@parley/sdk/protocol";

/**
 * A shop's optional features. An absent field means the shop has not set it up:
 * no `mapTiles`, no map is drawn (and no tile is ever fetched); no `media`,
 * nothing can be played together.
 */
export interface ShopFeatures {
  /** The shop's map tile server; the page's CSP must allow its origin in `img-src`. */
  mapTiles?: MapTiles;
  /** The shop's audio catalog; the page's CSP must allow `media.origins` in `media-src`. */
  media?: ShopMedia;
}

/** The features of a shop's widget config (only the fields it set). */
export function shopFeatures(config: Pick<WidgetConfig, "mapTiles" | "media">): ShopFeatures {
  return {
    ...(config.mapTiles ? { mapTiles: config.mapTiles } : {}),
    ...(config.media ? { media: config.media } : {}),
  };
}

/** A shop without features: every element's `features` until it is given some. */
export const NO_FEATURES: ShopFeatures = Object.freeze({});
