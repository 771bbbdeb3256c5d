/**
 * The card's map, only when the shop configured a tile server: the map chunk
 * (Leaflet, imported by map/leaflet-map.ts) loads the first time a card's map
 * area is on screen (IntersectionObserver), never before; the map then follows
 * the pin's newest fix. Without tiles nothing here runs and no tile is fetched.
 */
import type { PanelKit } from "../components/panel-kit.js";
import type { LatLon } from "./format.js";
import { type MapHandle, type MapTilesConfig, mountMap } from "./map/leaflet-map.js";

/** Where the map is, and the marker's fix. */
export interface MapFix extends LatLon {
  accuracy: number;
}

/** One card's map: watches its area, loads the map once visible, moves it with the fix. */
export class MapView {
  readonly #kit: PanelKit;
  #area: HTMLElement | undefined;
  #observer: IntersectionObserver | undefined;
  #map: MapHandle | undefined;
  #loading = false;
  #fix: MapFix | undefined;
  #tiles: MapTilesConfig | undefined;

  constructor(kit: PanelKit) {
    this.#kit = kit;
  }

  /** Shows `fix` with `tiles` in `area` (the same area each render, or a new one after a re-render). */
  show(area: HTMLElement | null, tiles: MapTilesConfig, fix: MapFix): void {
    this.#fix = fix;
    this.#tiles = tiles;
    if (area !== this.#area) {
      this.destroy();
      this.#area = area ?? undefined;
      if (!area) return;
      this.#observer = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.#load();
      });
      this.#observer.observe(area);
      return;
    }
    this.#map?.move(fix);
  }

  async #load(): Promise<void> {
    const area = this.#area;
    if (this.#map || this.#loading || !area || !this.#tiles || !this.#fix) return;
    this.#loading = true;
    this.#observer?.disconnect();
    try {
      const map = await mountMap(this.#kit, area, this.#tiles, this.#fix);
      if (area !== this.#area || !area.isConnected) map.destroy();
      else {
        this.#map = map;
        map.move(this.#fix); // the newest fix, should it have moved meanwhile
      }
    } catch {
      area.dataset.map = "failed"; // the card says everything without it
    } finally {
      this.#loading = false;
    }
  }

  /** Removes the map and stops watching. */
  destroy(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#map?.destroy();
    this.#map = undefined;
    this.#area = undefined;
  }
}
