/**
 * `@parley/sdk/protocol`: wire types, subjects, schemas and error codes shared by
 * the SDK and the gateway, so the two cannot drift.
 *
 * @module @parley/sdk/protocol
 */

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
  MemberRoles,
  PrincipalKinds,
  TeamKinds,
} from "./models.js";
export type { RpcResults, ServerEvent, SessionResponse } from "./rpc.js";
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
export {
  API_QUEUE,
  API_WILDCARD,
  parseApiSubject,
  principalPermissions,
  SubjectWildcards,
  subjects,
} from "./subjects.js";
