/**
 * The small map of a location card: Leaflet, imported in a chunk of its own
 * (the `map` size budget) the first time a card's map is on screen
 * (map-view.ts), drawing the shop's tiles
 * (the only origin it fetches from), a dot at the fix and its accuracy circle.
 * The map is a picture: no dragging, zooming, keyboard or controls (the card
 * says everything in words and links to full maps); the tile server's
 * attribution is shown by the card in text. Leaflet's own stylesheet is not
 * used: the few rules it needs are adopted into the card's shadow root
 * (map-styles.ts), which the frame's CSP allows (no inline style elements).
 */
import type { Circle, CircleMarker } from "leaflet/dist/leaflet-src.esm.js";
import type { PanelKit } from "../../components/panel-kit.js";
import { mapStyles } from "./map-styles.js";

/** The shop's tile server (the widget config's `mapTiles`). */
export interface MapTilesConfig {
  /** URL template with `{z}`, `{x}`, `{y}`. */
  url: string;
  /** Attribution the card shows. */
  attribution: string;
  /** Highest zoom served. @default 19 */
  maxZoom?: number;
}

/** A fix to show: position and accuracy radius (metres). */
export interface MapPoint {
  lat: number;
  lon: number;
  accuracy: number;
}

/** A mounted map. */
export interface MapHandle {
  /** Moves the dot and the circle (a live share's new position) and keeps it in view. */
  move(point: MapPoint): void;
  /** Removes the map. */
  destroy(): void;
}

/** The private parts of Leaflet 1.9's tile layers that {@link cancelWithoutDataUrls} replaces. */
interface TileInternals {
  _tiles: Record<string, { el: HTMLImageElement } | undefined>;
  _removeTile(key: string): void;
}

/**
 * Leaflet cancels the download of a tile it drops by pointing the tile at a `data:` GIF, which the
 * chat frame's CSP refuses (`img-src` has no `data:`: a CSP report for every dropped tile).
 * Removing the tile's `src` cancels the download just the same. The map never changes zoom, so
 * Leaflet's other canceller (`_abortLoading`, for tiles of another zoom level) never runs.
 */
function cancelWithoutDataUrls(layer: object, gridLayer: { prototype: object }): void {
  const own = layer as TileInternals;
  const base = gridLayer.prototype as TileInternals;
  own._removeTile = (key) => {
    own._tiles[key]?.el.removeAttribute("src");
    base._removeTile.call(layer, key);
  };
}

/** A zoom that keeps the accuracy circle in a card-sized map. */
function zoomFor(accuracy: number, maxZoom: number): number {
  const zoom = accuracy <= 50 ? 17 : accuracy <= 200 ? 16 : accuracy <= 1000 ? 14 : accuracy <= 5000 ? 12 : 10;
  return Math.min(zoom, maxZoom);
}

const sheets = new WeakMap<PanelKit, CSSStyleSheet | undefined>();

/** Adopts the map's rules into the shadow root holding `area` (once). */
function adoptStyles(kit: PanelKit, area: HTMLElement): void {
  const root = area.getRootNode();
  if (!(root instanceof ShadowRoot)) return;
  if (!sheets.has(kit)) sheets.set(kit, mapStyles(kit).styleSheet);
  const sheet = sheets.get(kit);
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/**
 * Loads Leaflet and draws the map of `point` in `area` with the shop's `tiles`; `area.dataset.map`
 * turns "ready" once tiles loaded.
 */
export async function mountMap(
  kit: PanelKit,
  area: HTMLElement,
  tiles: MapTilesConfig,
  point: MapPoint,
): Promise<MapHandle> {
  // Leaflet's ES module build (its package points bundlers at the UMD one, which needs CommonJS glue).
  const { circle, circleMarker, GridLayer, map, tileLayer } = await import("leaflet/dist/leaflet-src.esm.js");
  adoptStyles(kit, area);
  const maxZoom = tiles.maxZoom ?? 19;
  const m = map(area, {
    zoomControl: false,
    attributionControl: false,
    dragging: false,
    touchZoom: false,
    scrollWheelZoom: false,
    doubleClickZoom: false,
    boxZoom: false,
    keyboard: false,
    fadeAnimation: false,
    zoomAnimation: false,
    markerZoomAnimation: false,
    inertia: false,
  });
  const layer = tileLayer(tiles.url, { maxZoom, referrerPolicy: "no-referrer", crossOrigin: false });
  cancelWithoutDataUrls(layer, GridLayer);
  layer
    .on("load", () => {
      area.dataset.map = "ready";
    })
    .addTo(m);
  const brand = getComputedStyle(area).getPropertyValue("--parley-brand").trim() || "#1d4ed8";
  const at = (p: MapPoint): [number, number] => [p.lat, p.lon];
  const ring: Circle = circle(at(point), {
    radius: point.accuracy,
    interactive: false,
    color: brand,
    weight: 1,
    fillOpacity: 0.15,
  }).addTo(m);
  const dot: CircleMarker = circleMarker(at(point), {
    radius: 6,
    interactive: false,
    color: "#ffffff",
    weight: 2,
    fillColor: brand,
    fillOpacity: 1,
  }).addTo(m);
  m.setView(at(point), zoomFor(point.accuracy, maxZoom));
  area.dataset.map = "loading";
  return {
    move(p) {
      ring.setLatLng(at(p)).setRadius(p.accuracy);
      dot.setLatLng(at(p));
      m.setView(at(p), m.getZoom());
    },
    destroy() {
      m.remove();
      delete area.dataset.map;
    },
  };
}
