/**
 * `@parley/sdk`: the Parley client for browsers and Node.
 *
 * ```ts
 * const client = createClient({ gatewayUrl, auth: { kind: "customer", shopId, getToken } });
 * await client.connect();
 * const conv = await client.openConversation();
 * client.on("message", ({ message }) => console.log(message.body));
 * await client.send(conv.id, "Hello!");
 * ```
 *
 * @module @parley/sdk
 */

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
} from "./calls/api.js";
export { isRinging } from "./calls/api.js";
export type { CardsApi, CartAddition } from "./cards/api.js";
export type {
  CardBoard,
  CardEventNote,
  CardMessage,
  CardState,
  CardStateBase,
  CartLine,
  CartState,
  CartStatus,
  MenuState,
  OrderState,
  OrderStep,
  ShareStatus,
  SplitShare,
  SplitState,
  UnknownCardState,
} from "./cards/state.js";
export type { ClientEvents, ConnectionStatus, Note } from "./client.js";
export { createClient, ParleyClient } from "./client.js";
export type { ClockEstimate, SharedClockApi } from "./clock-api.js";
export type { EnvelopeCodec, FileRef, MessageBody } from "./codec.js";
export { parseMessageBody, plainCodec } from "./codec.js";
export type { ChatMessage, ConversationState, PendingMessage } from "./conversation-tracker.js";
export type { DeviceSetChange, KeyChange } from "./crypto/device-directory.js";
export type {
  ClientErrorCode,
  CommitFailure,
  DecryptFailure,
  EncryptionUnavailableReason,
  FileCorruptReason,
  SdkErrorCode,
  SealFailure,
  TeamKeyFailure,
} from "./errors.js";
export {
  ClientErrorCodes,
  CommitError,
  ConnectionLostError,
  DecryptError,
  DeviceIdentityError,
  EncryptionUnavailableError,
  FileCorruptError,
  isRetryable,
  KeyStoreError,
  NotConnectedError,
  ParleyError,
  SdkError,
  SealError,
  TeamKeyError,
} from "./errors.js";
export type { DownloadOptions, FileMeta, UploadOptions } from "./files.js";
export type { DriftAction, ListenApi, ListenBoard, ListenSession, PlaybackChange, Playhead } from "./listen/api.js";
export type {
  FixInput,
  IgnoredLocation,
  IgnoredReason,
  LiveShare,
  LocationApi,
  LocationBoard,
  PinState,
} from "./location/api.js";
export { isLive } from "./location/api.js";
export type { ClientAuth, ClientOptions } from "./options.js";
export type {
  Card,
  CardEvent,
  CardEventOp,
  CardKind,
  CartCard,
  MenuCard,
  MenuItem,
  MenuOption,
  MenuSection,
  MinorUnits,
  OrderAction,
  OrderCard,
  OrderItem,
  OrderStatus,
  SplitCard,
  SplitMethod,
} from "./protocol/cards/wire.js";
export type { ListenEvent, ListenStart, PlaybackState, Track } from "./protocol/live/wire.js";
export type {
  BlockedInfo,
  HandleCheck,
  HandleRefusal,
  InviteHistory,
  InviteInfo,
  InviteMemberPreview,
  InviteStatus,
  MembershipChange,
  MembershipEvent,
  ReadMark,
  TeamPresence,
  TeamPresenceMember,
} from "./protocol/models.js";
export { ReadCoalescer, TypingSender, TypingWatch } from "./signals.js";
export type { StateListener } from "./state-store.js";
export { StateStore } from "./state-store.js";
export type { KeyValueStorage } from "./storage.js";
export { memoryStorage, webStorage } from "./storage.js";
export type { IndexedDbStorage } from "./storage-idb.js";
export { indexedDbStorage } from "./storage-idb.js";
