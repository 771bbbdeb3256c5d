/**
 * `@parley/sdk/protocol`: wire types, subjects, schemas and error codes shared by
 * the SDK and the gateway, so the two cannot drift.
 *
 * @module @parley/sdk/protocol
 */

export type {
  CallEvent,
  CallEventOp,
  CallMedia,
  CallStart,
  LiveCall,
  LiveCallDescription,
  LiveCallMedia,
} from "./calls/wire.js";
export {
  CALL_VERSION,
  DROP_AFTER_MS,
  MAX_CALL_PARTICIPANTS,
  MAX_FINGERPRINT_CHARS,
  MAX_SDP_CHARS,
  MAX_SILENT_CALL_MS,
  RING_MS,
} from "./calls/wire.js";
export type { Envelope, EnvelopeAlg, EnvelopeHeader, StoredMessage, StoredNote } from "./envelope.js";
export { ENVELOPE_VERSION, EnvelopeAlgs, MAX_CIPHERTEXT_CHARS } from "./envelope.js";
export type { ErrorBody, ErrorCode, ErrorCodeInfo } from "./errors.js";
export { ErrorCodes, isErrorCode } from "./errors.js";
export type { FileRef, FileUploadResult } from "./files.js";
export {
  BLOB_ID_PATTERN,
  FILE_CHUNK_BYTES,
  FILE_CHUNK_OVERHEAD,
  fileCipherLength,
  fileRefProblem,
  MAX_CLAIMED_BLOBS,
  MAX_FILE_REF_BYTES,
} from "./files.js";
export type { HandleProblem } from "./handles.js";
export { foldHandle, HandleProblems, handleProblem, isHandle, normalizeHandle } from "./handles.js";
export {
  HANDLE_PATTERN,
  ID_PATTERN,
  isSubjectToken,
  isTeamPrincipalId,
  MSG_ID_PATTERN,
  NATS_USER_KEY_PATTERN,
  randomId,
} from "./ids.js";
export type { KeyBackupEntry } from "./key-backup.js";
export {
  KEY_BACKUP_CT_BYTES,
  KEY_BACKUP_CT_CHARS,
  MAX_KEY_BACKUP_PAGE,
  MAX_KEY_BACKUP_PUT,
  MAX_KEY_BACKUP_VERSION,
} from "./key-backup.js";
export type {
  GeoFix,
  ListenEvent,
  ListenStart,
  LiveLocation,
  LiveUpdate,
  LocationEvent,
  LocationPin,
  PlaybackState,
  Track,
} from "./live/wire.js";
export {
  LIVE_DURATIONS_MS,
  LIVE_HEARTBEAT_MS,
  LIVE_SIGNAL_BURST,
  LIVE_SIGNALS_PER_SECOND,
  LIVE_UPDATE_MIN_MS,
  LIVE_VERSION,
  MAX_ACCURACY_M,
  MAX_LABEL_CHARS,
  MAX_LIVE_CIPHERTEXT_CHARS,
  MAX_LIVE_MS,
  MAX_QUEUE,
  MAX_TRACK_MS,
  MAX_TRACK_TEXT_CHARS,
  MAX_TRACK_URL_CHARS,
} from "./live/wire.js";
export type { MessageBody } from "./message-body.js";
export { parseMessageBody } from "./message-body.js";
export type {
  BlockedInfo,
  CommitReason,
  ConversationInfo,
  ConversationStatus,
  DeviceKeys,
  DeviceRecord,
  EpochCommit,
  HandleCheck,
  HandleRefusal,
  HistoryPolicy,
  InviteHistory,
  InviteInfo,
  InviteMemberPreview,
  InviteStatus,
  MemberInfo,
  MemberRole,
  MembershipChange,
  MembershipEvent,
  PrincipalInfo,
  PrincipalKind,
  ReadMark,
  TeamKeyRecord,
  TeamKeyWrap,
  TeamKind,
  TeamPresence,
  TeamPresenceMember,
} from "./models.js";
export {
  CommitReasons,
  ConversationStatuses,
  HandleRefusals,
  HistoryPolicies,
  INVITE_HISTORY_WINDOW_MS,
  InviteHistories,
  InviteStatuses,
  isTeamKind,
  isTeamRole,
  MAX_DEVICE_LIST_PRINCIPALS,
  MemberRoles,
  PrincipalKinds,
  TeamKinds,
} from "./models.js";
export {
  isRequestId,
  MAX_REQUEST_ID_LENGTH,
  newRequestId,
  REQUEST_ID_HEADER,
  REQUEST_ID_PATTERN,
} from "./request-id.js";
export type { IceServer, RpcResults, ServerEvent, SessionResponse } from "./rpc.js";
export type { HttpErrorReply, RpcReply } from "./rpc-reply.js";
export { parseErrorBody, parseRpcReply, rpcError, rpcResult } from "./rpc-reply.js";
export type { RpcOp, RpcRequest } from "./schemas.js";
export {
  agentSessionRequestSchema,
  deviceKeysSchema,
  deviceRecordSchema,
  displayNameProblem,
  displayNameSchema,
  envelopeSchema,
  epochCommitSchema,
  handleSchema,
  idSchema,
  isRpcOp,
  keyBackupEntrySchema,
  msgIdSchema,
  RPC_OPS,
  refreshRequestSchema,
  rpcRequestSchemas,
  sessionRequestSchema,
  teamKeyRecordSchema,
  teamKeyWrapSchema,
} from "./schemas.js";
export { ACK_BY_EVENT, ACK_HEADER } from "./send-ack.js";
export type { CatalogTrack, MapTiles, ShopMedia, WidgetConfig } from "./shop-settings.js";
export {
  API_QUEUE,
  API_WILDCARD,
  parseApiSubject,
  principalPermissions,
  SubjectWildcards,
  subjects,
} from "./subjects.js";
export type {
  WebhookAttemptInfo,
  WebhookConversationData,
  WebhookErrorCode,
  WebhookEvent,
  WebhookEventBase,
  WebhookEventType,
  WebhookInfo,
  WebhookMessageData,
  WebhookPrincipal,
} from "./webhooks.js";
export { WEBHOOK_LOG_LIMIT, WebhookErrorCodes, WebhookEventTypes, WebhookHeaders } from "./webhooks.js";
