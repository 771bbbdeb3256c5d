/**
 * Stable error codes shared by the gateway and the SDK. The code is the
 * contract; messages are for people and may change.
 */
/** What the protocol says about one error code. */
export interface ErrorCodeInfo {
  /** The HTTP status the gateway answers it with. */
  readonly status: number;
  /** Whether the same request may succeed later (after `retryAfter` when the error carries one). */
  readonly retryable: boolean;
  /** A default message for people; it may change, the code does not. */
  readonly message: string;
}

const errorCodes = {
  /** The body or a parameter does not match its schema, or is not JSON. */
  bad_request: { status: 400, retryable: false, message: "The request is malformed." },
  /** The request body is over the size limit. */
  payload_too_large: { status: 413, retryable: false, message: "The request is too large." },
  /** A file upload is over the gateway's limit. */
  too_large: { status: 413, retryable: false, message: "The file is larger than the gateway accepts." },
  /** Missing or invalid token, password or refresh token; unknown principal. */
  unauthorized: { status: 401, retryable: false, message: "Missing or invalid credentials." },
  /** Authenticated, but this principal may not do this. */
  forbidden: { status: 403, retryable: false, message: "Not allowed." },
  /** No such shop, route, operation, conversation, member or invite, or no access to it. */
  not_found: { status: 404, retryable: false, message: "Not found." },
  /** The state changed or already exists (invite settled, already a member, msgId of another sender, a lost compare-and-set). */
  conflict: { status: 409, retryable: false, message: "The resource changed or already exists." },
  /** Another principal of the shop holds that handle. */
  handle_taken: { status: 409, retryable: false, message: "That handle is taken." },
  /** Not a handle: after normalisation, 3 to 32 letters, digits or `_` of one script, starting with a letter. */
  handle_invalid: {
    status: 400,
    retryable: false,
    message: "A handle is 3 to 32 letters, digits or _ of one script, starting with a letter.",
  },
  /** The handle is kept for the shop's team (the shop's id, `support`, `admin`, a team login). */
  handle_reserved: { status: 403, retryable: false, message: "That handle is reserved for the shop's team." },
  /** The handle looks like one another principal of the shop holds (Unicode confusables). */
  handle_confusable: { status: 409, retryable: false, message: "That handle looks too much like one already taken." },
  /** A display name with bidi controls, zero-width or other invisible characters. */
  display_name_invalid: {
    status: 400,
    retryable: false,
    message: "A display name cannot contain invisible or text-direction characters.",
  },
  /**
   * Admin API and shops file: a shop's `tokenKey.publicKey` is not an Ed25519 public key (an SPKI
   * PEM or a JWK); sessions of a shop stored with such a key before the check answer it too.
   */
  token_key_invalid: {
    status: 400,
    retryable: false,
    message: "The shop's token key is not an Ed25519 public key.",
  },
  /** `invite.create`, `handle.lookup`: no one of the shop has that handle. */
  unknown_handle: { status: 404, retryable: false, message: "No one has that handle." },
  /** The invite passed its expiry before it was answered. */
  invite_expired: { status: 410, retryable: false, message: "The invite has expired." },
  /** The invite was withdrawn. */
  invite_revoked: { status: 410, retryable: false, message: "The invite was withdrawn." },
  /** `invite.accept`: the inviter is no longer a member of the conversation. */
  inviter_left: { status: 409, retryable: false, message: "The person who invited you has left the conversation." },
  /** `invite.create`: the invitee declined this inviter's invite less than 24 hours ago (`retryAfter` in seconds). */
  invite_cooldown: {
    status: 429,
    retryable: false,
    message: "They declined an invite from you recently; try again later.",
  },
  /** `invite.create`: the handle belongs to a member of the conversation (or to the inviter). */
  already_member: { status: 409, retryable: false, message: "Already a member of this conversation." },
  /** The envelope was sealed under an older epoch: fetch the commits, seal again. */
  stale_epoch: {
    status: 409,
    retryable: false,
    message: "The conversation moved to a newer encryption epoch: fetch its commits and seal again.",
  },
  /**
   * `epoch.commit`: the commit fails a check the gateway can make without reading content (its
   * signature by a registered device of the committer, `prevHash` continuity with the stored head,
   * the committer's membership of that head, a team commit's team-key signature, wraps matching the
   * listed devices, at most `PARLEY_MAX_DEVICES` devices per member). Not retryable as it is.
   */
  bad_commit: {
    status: 400,
    retryable: false,
    message: "The commit does not verify against the conversation's chain.",
  },
  /** `device.register`, session sign-in: another principal already registered that device id. */
  device_taken: { status: 409, retryable: false, message: "That device id belongs to another principal." },
  /** The shop does not allow guests. */
  guests_disabled: { status: 403, retryable: false, message: "This shop does not allow guests." },
  /** The request's `Origin` is not one of the shop's allowed origins. */
  origin_not_allowed: { status: 403, retryable: false, message: "This origin is not allowed for the shop." },
  /**
   * `msg.send`, file uploads: the shop's stored messages and files are at its storage quota
   * (`PARLEY_SHOP_STORAGE_QUOTA`); nothing was stored. Not retryable: it lasts until the shop's files
   * are deleted or its quota raised.
   */
  quota_exceeded: { status: 413, retryable: false, message: "The shop's storage is full." },
  /** Over a rate limit; `retryAfter` says how many seconds to wait. */
  rate_limited: { status: 429, retryable: true, message: "Too many requests; slow down." },
  /**
   * Too many requests in flight: the caller's own (per principal) or the gateway's (in total). Nothing
   * ran; try again after `retryAfter` seconds (the SDK does so itself, a few times).
   */
  busy: { status: 503, retryable: true, message: "Too many requests at once; try again in a moment." },
  /** The store (or another dependency) cannot be reached. */
  unavailable: { status: 503, retryable: true, message: "The service is temporarily unavailable." },
  /** An unexpected failure (logged by the gateway). */
  internal: { status: 500, retryable: true, message: "Internal error." },
  /** Raised by the SDK only (never sent by the gateway): a downloaded file failed its checks; no plaintext is returned. */
  file_corrupt: {
    status: 502,
    retryable: false,
    message: "The file failed its integrity checks (damaged, truncated or not the file that was sent).",
  },
  /** Raised by the SDK only (never sent by the gateway): a card or card event to send breaks its schema (`@parley/sdk/cards`). */
  card_invalid: { status: 400, retryable: false, message: "The card or card event is not valid." },
  /**
   * Raised by the SDK only (never sent by the gateway): the cards fold would ignore this card event
   * (not the sender's to do, or not now: a closed cart, someone else's line).
   */
  card_rejected: { status: 409, retryable: false, message: "That card action is not allowed now." },
  /**
   * Raised by the SDK only (never sent by the gateway): a location, live location update or listening
   * session (`@parley/sdk/location`, `@parley/sdk/listen`) breaks its schema.
   */
  live_invalid: { status: 400, retryable: false, message: "The location or listening session is not valid." },
  /**
   * Raised by the SDK only (never sent by the gateway): the location or listen fold would ignore this
   * event (not the sender's to do, or not now: someone else's share, a session that ended).
   */
  live_rejected: { status: 409, retryable: false, message: "That is not allowed now." },
  /**
   * Raised by the SDK only (never sent by the gateway): a call cannot be started or joined here
   * (no WebRTC in this environment, a plaintext conversation, the call is full or has ended, or this
   * device is already in another call); the message says which.
   */
  call_unavailable: { status: 409, retryable: false, message: "That call cannot be started or joined now." },
  /**
   * Raised by the SDK only (never sent by the gateway): the camera, microphone or screen could not be
   * had (permission refused, no such device, in use elsewhere).
   */
  media_denied: { status: 403, retryable: false, message: "The camera or microphone is not available." },
  /**
   * Raised by the SDK only (never sent by the gateway): a call was refused for its signalling's sake:
   * a session description not signed by a device of a current member of the call, or a DTLS
   * fingerprint other than the signed one. The call ends; the message says which check failed.
   */
  call_refused: { status: 403, retryable: false, message: "The call was refused: its signalling did not verify." },
} as const satisfies Record<string, ErrorCodeInfo>;

/** Every error code the gateway sends (and `file_corrupt`, `card_invalid`, `card_rejected`, `live_invalid`, `live_rejected`, `call_unavailable`, `media_denied`, `call_refused`, which the SDK raises), by name. */
export type ErrorCode = keyof typeof errorCodes;

/** Every error code with its HTTP status, whether it is retryable, and a default message. */
export const ErrorCodes: { readonly [Code in ErrorCode]: ErrorCodeInfo } = errorCodes;

/** The body of every error, over HTTP and over NATS. */
export interface ErrorBody {
  /** The stable code: what programs act on. */
  code: ErrorCode;
  /** For people; may change. */
  message: string;
  /** Seconds to wait before retrying, for `rate_limited` and `busy`. */
  retryAfter?: number;
  /** The id of the request that failed (see `REQUEST_ID_HEADER`): quote it when asking about the failure. */
  requestId?: string;
}

/** Whether `value` is one of the {@link ErrorCodes} (a newer gateway may send codes this SDK does not know). */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ErrorCodes, value);
}
