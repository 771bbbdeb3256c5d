/**
 * `@parley/sdk/location`: shared locations (wire types, schemas) and the fold
 * that turns a conversation's location messages and live updates into places,
 * with the distance and direction helpers a map or list needs. Loaded with
 * the location views, not with the chat.
 *
 * @module @parley/sdk/location
 */

export type { GeoFix, LiveLocation, LiveUpdate, LocationEvent, LocationPin } from "../protocol/live/wire.js";
export {
  LIVE_DURATIONS_MS,
  LIVE_HEARTBEAT_MS,
  LIVE_UPDATE_MIN_MS,
  LIVE_VERSION,
  MAX_ACCURACY_M,
  MAX_LABEL_CHARS,
  MAX_LIVE_MS,
} from "../protocol/live/wire.js";
export type {
  FixInput,
  IgnoredLocation,
  IgnoredReason,
  LiveShare,
  LocationApi,
  LocationBoard,
  PinState,
} from "./api.js";
export { isLive } from "./api.js";
export { KEEP_PER_SHARE, KEEP_UNKNOWN_SHARES, LocationBoardFolder } from "./board-folder.js";
export {
  applyLive,
  fixOf,
  foldLocations,
  LIVE_AT_SLACK_MS,
  type LiveRefusal,
  LocationFolder,
  type LocationMessage,
  liveAt,
  liveRefusal,
} from "./fold.js";
export { bearingDeg, distanceM, EARTH_RADIUS_M, type LatLon } from "./geo.js";
export { LiveShareHandle, type LiveShareOptions, MIN_LIVE_MS, MIN_MOVE_M } from "./live-share.js";
export {
  type LocationWhat,
  liveLocationSchema,
  locationEventSchema,
  locationPinSchema,
  locationProblem,
  parseLiveLocation,
  parseLocationEvent,
  parseLocationPin,
} from "./schemas.js";
