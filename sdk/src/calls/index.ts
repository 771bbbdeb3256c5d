/**
 * `@parley/sdk/calls`: voice and video calls (wire types, schemas), the fold
 * that turns a conversation's call messages into its calls, and the checks a
 * call's signalling needs (DTLS fingerprints in a session description).
 * Loaded with the call views, not with the chat.
 *
 * @module @parley/sdk/calls
 */

export type {
  CallEvent,
  CallEventOp,
  CallMedia,
  CallStart,
  LiveCall,
  LiveCallDescription,
  LiveCallMedia,
} from "../protocol/calls/wire.js";
export {
  CALL_VERSION,
  DROP_AFTER_MS,
  MAX_CALL_PARTICIPANTS,
  MAX_FINGERPRINT_CHARS,
  MAX_SDP_CHARS,
  MAX_SILENT_CALL_MS,
  RING_MS,
} from "../protocol/calls/wire.js";
export type {
  ActiveCall,
  CallEndReason,
  CallJoinOptions,
  CallOutcome,
  CallParticipant,
  CallQuality,
  CallRecord,
  CallRefusal,
  CallsApi,
  CallsBoard,
  IgnoredCall,
  IgnoredCallReason,
  IncomingCall,
  RemotePeer,
} from "./api.js";
export { isRinging } from "./api.js";
export { CallsBoardFolder } from "./board-folder.js";
export { type CallMessage, CallsFolder, foldCalls, ringsFor } from "./fold.js";
export {
  type CallWhat,
  callEventSchema,
  callProblem,
  callStartSchema,
  FINGERPRINT_HASH_BYTES,
  fingerprintMatches,
  isFingerprint,
  liveCallSchema,
  normalizeFingerprint,
  parseCallEvent,
  parseCallStart,
  parseLiveCall,
  sdpFingerprints,
} from "./schemas.js";
