/**
 * A place in the viewer's words: coordinates (5 decimals, in the locale, with
 * hemispheres), accuracy, distance and direction, the age of a fix, times,
 * and the "open in maps" links (OpenStreetMap and a `geo:` URI).
 */
import type { LocationStrings } from "./strings.js";

/** Latitude and longitude, degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

const number = (s: LocationStrings, digits: number, value: number) =>
  new Intl.NumberFormat(s.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);

/** "52.52000° N, 13.40500° E" ("52,52000° N, 13,40500° O" in German). */
export function coordinates(p: LatLon, s: LocationStrings): string {
  const lat = `${number(s, 5, Math.abs(p.lat))}° ${s.t(p.lat < 0 ? "hemi.S" : "hemi.N")}`;
  const lon = `${number(s, 5, Math.abs(p.lon))}° ${s.t(p.lon < 0 ? "hemi.W" : "hemi.E")}`;
  return `${lat}, ${lon}`;
}

/** A distance: "850 m" under a kilometre (to 10 m; to 1 m under 100 m), "1.2 km" above (whole km from 100 km). */
export function distance(m: number, s: LocationStrings): string {
  if (m < 100) return `${number(s, 0, Math.round(m))} m`;
  if (m < 1000) return `${number(s, 0, Math.round(m / 10) * 10)} m`;
  return `${number(s, m < 100_000 ? 1 : 0, m / 1000)} km`;
}

/** "±12 m". */
export const accuracy = (m: number, s: LocationStrings) => `±${distance(m, s)}`;

/** One of eight compass directions for a bearing (degrees from north): "north-east". */
export function direction(bearing: number, s: LocationStrings): string {
  const i = Math.round((((bearing % 360) + 360) % 360) / 45) % 8;
  return s.t(`dir.${i}` as "dir.0");
}

/** "1.2 km north-east" ("1,2 km Richtung Nordosten"). */
export const distanceAndDirection = (m: number, bearing: number, s: LocationStrings) =>
  s.t("distance.dir", { distance: distance(m, s), dir: direction(bearing, s) });

/** An age: "8 s", "3 min", "2 h". */
export function age(ms: number, s: LocationStrings): string {
  const sec = Math.max(0, Math.floor(ms / 1000));
  if (sec < 60) return `${number(s, 0, sec)} s`;
  if (sec < 3600) return `${number(s, 0, Math.floor(sec / 60))} min`;
  return `${number(s, 0, Math.floor(sec / 3600))} h`;
}

/** A time of day ("14:35", "2:35 PM"; as the chat's message times), with the date when it is not today. */
export function clockTime(ts: number, now: number, s: LocationStrings): string {
  const sameDay = new Date(ts).toDateString() === new Date(now).toDateString();
  return new Intl.DateTimeFormat(s.locale, {
    hour: "numeric",
    minute: "2-digit",
    ...(sameDay ? {} : { day: "numeric", month: "short" }),
  }).format(ts);
}

const fixed = (v: number) => v.toFixed(5);

/** The place on openstreetmap.org, with a marker. */
export const osmUrl = (p: LatLon) =>
  `https://www.openstreetmap.org/?mlat=${fixed(p.lat)}&mlon=${fixed(p.lon)}#map=17/${fixed(p.lat)}/${fixed(p.lon)}`;

/** The place as a `geo:` URI (RFC 5870), with its uncertainty in metres. */
export const geoUri = (p: LatLon, accuracyM: number) =>
  `geo:${fixed(p.lat)},${fixed(p.lon)};u=${Math.round(accuracyM)}`;
