import type { EnvelopeCodec } from "./codec.js";
import { plainCodec } from "./codec.js";
import type { DeviceKeys } from "./protocol/index.js";
import { type KeyValueStorage, memoryStorage } from "./storage.js";

/** How the client proves who it is. */
export type ClientAuth =
  /**
   * A shop customer: `getToken` asks the shop's backend for a fresh signed
   * customer token. `getKeyBackupSecret`, when the shop's backend hands one
   * out (`keyBackupSecret` in `@parley/sdk/server`), turns on key backup: this
   * device keeps the epoch keys it holds in the customer's backup on the
   * gateway, sealed under that secret, and a new device with the same secret
   * reads the customer's earlier messages (ADR 0016). The secret never goes to
   * the gateway; never put it in the token.
   */
  | {
      /** A customer of the shop. */
      kind: "customer";
      /** The shop's id at the gateway. */
      shopId: string;
      /** Fetches a fresh customer token from the shop's backend (called at every sign-in). */
      getToken: () => Promise<string>;
      /** Fetches the customer's key backup secret from the shop's backend; `undefined` turns key backup off. */
      getKeyBackupSecret?: () => Promise<string | undefined>;
    }
  /** A guest, where the shop allows guests. The guest identity is kept in `storage` and resumed. */
  | {
      /** A guest without an account. */
      kind: "guest";
      /** The shop's id at the gateway. */
      shopId: string;
      /** The name the shop's team sees. */
      displayName?: string;
    }
  /**
   * A human member of the shop's team. Signing in with the password keeps the
   * session's refresh token in `storage`; a later client for the same login
   * without `password` resumes that session (`unauthorized` when there is none
   * or it expired), so an app need not keep the password. `signOut()` forgets it.
   */
  | {
      /** An agent of the shop's team. */
      kind: "agent";
      /** The shop's id at the gateway. */
      shopId: string;
      /** The agent's login. */
      login: string;
      /** The password; leave it out to resume the session kept in `storage`. */
      password?: string;
    }
  /**
   * A bot of the shop's team (Node). The client makes its own NATS key pair and
   * connects with a non-bearer JWT issued to that key: the JWT alone is useless.
   */
  | {
      /** A bot of the shop's team. */
      kind: "bot";
      /** The shop's id at the gateway. */
      shopId: string;
      /** The bot's login. */
      login: string;
      /** The bot's password. */
      password: string;
    };

/** Everything `createClient` takes; only `gatewayUrl` and `auth` are required. */
export interface ClientOptions {
  /** Base URL of the gateway, e.g. `https://chat.example.com`. */
  gatewayUrl: string;
  /** Who this client signs in as. */
  auth: ClientAuth;
  /**
   * WebSocket constructor. Pass the `ws` package's in Node 20.
   * @default globalThis.WebSocket
   */
  WebSocket?: typeof WebSocket;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Where the outbox and session survive reloads.
   * @default memoryStorage()
   */
  storage?: KeyValueStorage;
  /** Public keys of this device, registered at session start. */
  device?: DeviceKeys;
  /**
   * Turns bodies into envelopes and back, instead of end-to-end encryption.
   * Passing a codec turns `encryption` off unless it is set; both together are an error.
   * @default none: end-to-end encryption
   */
  codec?: EnvelopeCodec;
  /**
   * End-to-end encryption: this device makes and registers its keys, pins its
   * peers' devices, follows each conversation's epoch chain and seals every
   * message (the gateway then refuses plaintext in those conversations). Keys
   * live in `storage`. Agents read through the shop's team key, which an admin
   * agent's device makes and hands out (the dashboard does on an admin's first
   * sign-in): until one has been online, agents cannot read conversations
   * started before.
   *
   * `false` sends plaintext envelopes (`alg: "none"`) that the gateway, the
   * store and NATS can read: for tests and wire-level tools only.
   * @default true (false when a `codec` is passed)
   */
  encryption?: boolean;
  /**
   * Milliseconds before a request over NATS fails and is retried from the outbox.
   * @default 5000
   */
  requestTimeout?: number;
  /**
   * Fetch new credentials this long before the NATS JWT expires, in milliseconds.
   * @default 60000 (or a fifth of the JWT's lifetime when that is shorter)
   */
  refreshAhead?: number;
  /**
   * Origin header for the WebSocket handshake, where the platform lets you set it (Node).
   * @default undefined
   */
  origin?: string;
}

export type ResolvedOptions = Required<Omit<ClientOptions, "device" | "origin">> &
  Pick<ClientOptions, "device" | "origin">;

export const defaultOptions = {
  encryption: true,
  requestTimeout: 5000,
  refreshAhead: 60_000,
} as const;

/** Validates once at construction; throws TypeError naming the bad option. */
export function parseOptions(options: ClientOptions): ResolvedOptions {
  let url: URL;
  try {
    url = new URL(options.gatewayUrl);
  } catch {
    throw new TypeError("gatewayUrl must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError("gatewayUrl must be http(s)");
  const WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
  if (typeof WebSocketImpl !== "function") {
    throw new TypeError("no WebSocket available: pass options.WebSocket (in Node 20, the `ws` package)");
  }
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (typeof fetchImpl !== "function") throw new TypeError("no fetch available: pass options.fetch");
  if (!options.auth || !["customer", "guest", "agent", "bot"].includes(options.auth.kind)) {
    throw new TypeError("auth must be a customer, guest, agent or bot");
  }
  const encryption = options.encryption ?? (options.codec ? false : defaultOptions.encryption);
  if (typeof encryption !== "boolean") throw new TypeError("encryption must be a boolean");
  if (encryption && options.codec) throw new TypeError("pass either codec or encryption, not both");
  const requestTimeout = options.requestTimeout ?? defaultOptions.requestTimeout;
  if (!(requestTimeout > 0)) throw new TypeError("requestTimeout must be positive");
  return {
    gatewayUrl: url.origin + url.pathname.replace(/\/$/, ""),
    auth: options.auth,
    WebSocket: WebSocketImpl,
    fetch: fetchImpl,
    storage: options.storage ?? memoryStorage(),
    device: options.device,
    codec: options.codec ?? plainCodec,
    encryption,
    requestTimeout,
    refreshAhead: options.refreshAhead ?? defaultOptions.refreshAhead,
    origin: options.origin,
  };
}
