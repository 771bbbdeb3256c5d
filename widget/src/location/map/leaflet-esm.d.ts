/** Leaflet's ES module build has the package's types (@types/leaflet). */
declare module "leaflet/dist/leaflet-src.esm.js" {
  export * from "leaflet";
}
