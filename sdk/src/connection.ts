/**
 * The NATS side of the client: a WebSocket connection authenticated with the
 * session's short-lived JWT. The authenticator returns whatever JWT is current,
 * and a timer fetches a new one before expiry; when the server closes the
 * connection at the old JWT's expiry (or NATS restarts), the client reconnects
 * with the new one and its subscriptions are restored.
 */
import {
  type ConnectionOptions,
  jwtAuthenticator,
  type NatsConnection,
  type Status,
  wsconnect,
} from "@nats-io/nats-core";
import type { SessionResponse } from "./protocol/index.js";

export interface NatsLinkOptions {
  session: SessionResponse;
  WebSocket: typeof WebSocket;
  origin: string | undefined;
  /** Returns the JWT to present at the next (re)connect. */
  currentJwt: () => string;
  /** Bots: the seed of the key their non-bearer JWT was issued to; it signs the server's nonce. */
  seed?: (() => Uint8Array) | undefined;
}

type WsWithOptions = new (url: string, protocols: string[], options: { origin: string }) => WebSocket;

export async function connectNats(o: NatsLinkOptions): Promise<NatsConnection> {
  const options: ConnectionOptions & { wsFactory: unknown } = {
    servers: o.session.nats.servers,
    name: `parley-sdk ${o.session.principal.kind}`,
    authenticator: o.seed ? jwtAuthenticator(() => o.currentJwt(), o.seed) : jwtAuthenticator(() => o.currentJwt()),
    inboxPrefix: o.session.nats.inboxPrefix,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    pingInterval: 20_000,
    ignoreAuthErrorAbort: true,
    // nats.js otherwise builds an Error (with its stack) up front for every request and every
    // subscription timeout, in case it fails; the client turns failures into its own coded errors,
    // so the stack is never shown, and building it took 9-11% of a busy client's CPU (bench profile).
    noAsyncTraces: true,
    wsFactory: (url: string) => {
      const socket = o.origin
        ? new (o.WebSocket as unknown as WsWithOptions)(url, [], { origin: o.origin })
        : new o.WebSocket(url);
      return Promise.resolve({ socket, encrypted: url.startsWith("wss:") });
    },
  };
  return wsconnect(options);
}

export type { NatsConnection, Status };
