/**
 * Every limit the project writes into NATS, in one place: the nats-server
 * config ({@link renderServerConfig} in accounts.ts, used by the demo, the test
 * harness and the docs' setup script), the account JWTs and the principal
 * user JWTs (minter.ts). docs/security.md ("NATS connections") gives the
 * reasons; change them here, not where they are rendered.
 */

/** Limits of the server config, per nats-server process. */
export const SERVER_LIMITS = {
  /** Largest message a client may publish: 256 KiB (the app account's limit; principals get 128 KiB). */
  maxPayload: 256 * 1024,
  /** Longest protocol line (subject, reply, headers size): Parley's subjects are under 200 bytes. */
  maxControlLine: 4096,
  /**
   * Bytes the server buffers for one slow reader before it cuts the connection as a slow consumer:
   * 128 of the largest message, so a stalled browser holds at most 32 MiB of server memory.
   */
  maxPending: 32 * 1024 * 1024,
  /** How long a write to one client may block before the server gives up on that client. */
  writeDeadline: "10s",
  /** Seconds a new connection has to present its credentials (CONNECT) after the server's INFO. */
  authTimeout: 2,
  /** Seconds a WebSocket upgrade (HTTP request and headers) may take. */
  wsHandshakeTimeout: 5,
  /** Server-to-client pings: a silent connection is closed after `pingMax` unanswered ones (about 90 s). */
  pingInterval: "30s",
  pingMax: 3,
} as const;

/** Connection limits of the accounts (cluster-wide; each account JWT carries its own). */
export const ACCOUNT_CONNECTION_LIMITS = {
  /** App account: every browser, agent and bot on the WebSocket, and every gateway. */
  app: 100_000,
  /** Bots account: bots holding their own key. */
  bots: 1_000,
  /** Head-room for the system account's connections (each gateway's connection watcher, operators' tools). */
  system: 1_000,
} as const;

/**
 * `max_connections` of one server: the sum of the account limits, so that a full app account is refused by
 * its own account limit (which the gateways' reserve keeps from being reached by principals) before the
 * server's limit would refuse a gateway or a system connection.
 */
export const SERVER_MAX_CONNECTIONS =
  ACCOUNT_CONNECTION_LIMITS.app + ACCOUNT_CONNECTION_LIMITS.bots + ACCOUNT_CONNECTION_LIMITS.system;

/**
 * Limits written into every principal's user JWT. nats-server enforces `subs` and `payload` per connection;
 * it enforces no data or message-rate limit for core NATS (user `data` only applies to JetStream, which
 * Parley does not use), so message rates are limited at the gateway (`PARLEY_SEND_RATE`, the RPC limits).
 */
export const PRINCIPAL_LIMITS = { subs: 50, payload: 128 * 1024, data: -1 } as const;

/** Connections one principal may hold at once (`PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL`): tabs and devices. */
export const DEFAULT_MAX_CONNECTIONS_PER_PRINCIPAL = 10;

/**
 * App-account connections no principal may take (`PARLEY_NATS_RESERVED_CONNECTIONS`): the gateways'
 * own connections, so a flood of principals cannot keep a gateway from (re)connecting.
 */
export const DEFAULT_RESERVED_CONNECTIONS = 64;
