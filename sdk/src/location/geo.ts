/**
 * Distance and direction between two points on the WGS 84 globe, taken as a
 * sphere of the mean Earth radius (errors under 0.5 %, plenty for "380 m
 * north-east of you").
 */

/** A point: latitude and longitude in degrees. */
export interface LatLon {
  /** Latitude, degrees. */
  lat: number;
  /** Longitude, degrees. */
  lon: number;
}

/** The mean Earth radius, metres. */
export const EARTH_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance from `a` to `b`, metres (haversine). */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from `a` towards `b`, degrees clockwise from true north in `0..360` (0 when they coincide). */
export function bearingDeg(a: LatLon, b: LatLon): number {
  const φ1 = a.lat * RAD;
  const φ2 = b.lat * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const y = Math.sin(dLon) * Math.cos(φ2);
  const x = Math.cos(φ1) * Math.sin(φ2) - Math.sin(φ1) * Math.cos(φ2) * Math.cos(dLon);
  if (y === 0 && x === 0) return 0;
  const deg = Math.atan2(y, x) / RAD;
  return (deg + 360) % 360;
}
