/**
 * The layout rules a Leaflet map needs, for the card's shadow root: panes and
 * tiles stacked absolutely in a clipped container, tiles shown once loaded.
 * The map runs without controls, popups, icons or animations, so that is all.
 */
import type { PanelKit } from "../../components/panel-kit.js";

/** The map's stylesheet, built with the kit's css tag. */
export const mapStyles = ({ css }: PanelKit) => css`
  .leaflet-container { overflow: hidden; }
  .leaflet-pane, .leaflet-tile, .leaflet-tile-container, .leaflet-layer, .leaflet-pane > svg {
    position: absolute; left: 0; top: 0; }
  .leaflet-map-pane { z-index: 0; }
  .leaflet-tile-pane { z-index: 200; }
  .leaflet-overlay-pane { z-index: 400; }
  .leaflet-tile { user-select: none; visibility: hidden; }
  .leaflet-tile-loaded { visibility: inherit; }
  .leaflet-container img.leaflet-tile, .leaflet-container .leaflet-overlay-pane svg {
    max-width: none; max-height: none; }
  .leaflet-pane > svg path { pointer-events: none; }
`;
