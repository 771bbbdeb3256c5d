/**
 * `@parley/sdk/listen`: listening together. The wire types and limits of
 * listening sessions, their schemas, the fold that turns a conversation's
 * `listen` and `listen-event` messages into sessions, and the playhead: where
 * a session is at an instant of the shared clock and how a player follows it.
 * Loaded with the listen-together player, not with the chat.
 */

export type { ListenEvent, ListenStart, PlaybackState, Track } from "../protocol/live/wire.js";
export {
  LIVE_VERSION,
  MAX_QUEUE,
  MAX_TRACK_MS,
  MAX_TRACK_TEXT_CHARS,
  MAX_TRACK_URL_CHARS,
} from "../protocol/live/wire.js";
export type { DriftAction, ListenApi, ListenBoard, ListenSession, PlaybackChange, Playhead } from "./api.js";
export { ListenBoardFolder } from "./board-folder.js";
export { foldListen, ListenFolder, type ListenMessage, wouldApply } from "./fold.js";
export {
  type FollowOptions,
  followPlayhead,
  MAX_RATE_DELTA,
  nextChange,
  playheadAt,
  RATE_WINDOW_MS,
  SEEK_THRESHOLD_MS,
  START_LEAD_MS,
  SYNC_TOLERANCE_MS,
} from "./playhead.js";
export {
  isTrackUrl,
  listenEventSchema,
  listenProblem,
  listenStartSchema,
  parseListenEvent,
  parseListenStart,
  playbackStateSchema,
  stateMisfit,
  trackSchema,
} from "./schemas.js";
