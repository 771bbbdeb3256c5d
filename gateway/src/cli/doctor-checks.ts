/**
 * The probes behind `parley-gateway doctor`, each against the real thing: a
 * NATS connection with the auth file's credentials, a WebSocket upgrade with
 * an `Origin`, a TLS handshake, the gateway's HTTP answers. Each resolves to
 * what it saw; doctor.ts turns that into OK or FAIL and a fix.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate, connect as tlsConnect } from "node:tls";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { GATEWAY_SYSTEM_INBOX, type NatsAuth } from "../nats/accounts.js";
import { JwtMinter } from "../nats/minter.js";

const TIMEOUT_MS = 5_000;
const utf8 = new TextEncoder();

/** Connects to `url` as a gateway does (a service user of the app account minted with the signing seed) and round-trips. */
export async function probeNatsApp(url: string, auth: NatsAuth): Promise<{ rttMs: number; version: string }> {
  const minter = new JwtMinter({ accountPub: auth.appAccountPub, signingSeed: auth.appSigningSeed });
  const service = await minter.mintService({ name: "parley-doctor", ttlSeconds: 60 });
  const nc = await connect({
    servers: url,
    name: "parley-doctor",
    authenticator: jwtAuthenticator(service.jwt, utf8.encode(service.seed)),
    reconnect: false,
    timeout: TIMEOUT_MS,
  });
  try {
    const rttMs = await nc.rtt();
    return { rttMs, version: nc.info?.version ?? "unknown" };
  } finally {
    await nc.close();
  }
}

/**
 * Connects as the gateways' system user (the connection watcher's credentials) and asks the app
 * account's CONNZ: proves the watcher can work and reads the server's clock (`now`) against ours.
 */
export async function probeNatsClock(url: string, auth: NatsAuth): Promise<{ skewMs: number; rttMs: number }> {
  const nc: NatsConnection = await connect({
    servers: url,
    name: "parley-doctor-watch",
    inboxPrefix: GATEWAY_SYSTEM_INBOX,
    authenticator: jwtAuthenticator(auth.gatewaySystemJwt, utf8.encode(auth.gatewaySystemSeed)),
    reconnect: false,
    timeout: TIMEOUT_MS,
  });
  try {
    const sent = Date.now();
    const reply = await nc.request(`$SYS.REQ.ACCOUNT.${auth.appAccountPub}.CONNZ`, JSON.stringify({ limit: 1 }), {
      timeout: TIMEOUT_MS,
    });
    const received = Date.now();
    const body = reply.json<{ data?: { now?: string }; server?: { time?: string } }>();
    const serverTime = Date.parse(body.data?.now ?? body.server?.time ?? "");
    if (Number.isNaN(serverTime)) throw new Error("the server's CONNZ answer has no time");
    return { skewMs: serverTime - (sent + received) / 2, rttMs: received - sent };
  } finally {
    await nc.close();
  }
}

/** What a WebSocket upgrade with a given `Origin` got: 101 and the server's first bytes, or the HTTP status. */
export type UpgradeResult = { upgraded: true; nats: boolean } | { upgraded: false; status: number };

/** Opens a WebSocket upgrade to `wsUrl` sending `origin` and closes it again; rejects when nothing answers. */
export function probeWebSocket(wsUrl: string, origin: string): Promise<UpgradeResult> {
  const url = new URL(wsUrl);
  const secure = url.protocol === "wss:";
  const request = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      ...(isIP(url.hostname.replace(/^\[|\]$/g, "")) ? {} : { servername: url.hostname }),
      timeout: TIMEOUT_MS,
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
        Origin: origin,
      },
    });
    req.on("upgrade", (_res, socket, head) => {
      // nats-server speaks first: its INFO line arrives as the first frame.
      const finish = (bytes: Buffer) => {
        socket.destroy();
        resolve({ upgraded: true, nats: bytes.includes("INFO {") });
      };
      if (head.length > 0) return finish(head);
      socket.once("data", finish);
      socket.setTimeout(TIMEOUT_MS, () => finish(Buffer.alloc(0)));
    });
    req.on("response", (res) => {
      res.resume();
      resolve({ upgraded: false, status: res.statusCode ?? 0 });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on("error", reject);
    req.end();
  });
}

/** What a TLS handshake with a server showed about its certificate. */
export interface TlsResult {
  /** Why the chain is not trusted, or undefined when it is. */
  untrusted: string | undefined;
  /** Why the certificate does not name the host, or undefined when it does. */
  wrongHost: string | undefined;
  validFrom: Date;
  validTo: Date;
  subject: string;
}

/** Shakes hands with `host:port` (SNI `host`) and reports the certificate, trusted or not. */
export function probeTls(host: string, port: number): Promise<TlsResult> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect(
      { host, port, ...(isIP(host) ? {} : { servername: host }), rejectUnauthorized: false, timeout: TIMEOUT_MS },
      () => {
        const cert: PeerCertificate = socket.getPeerCertificate();
        socket.destroy();
        if (!cert || Object.keys(cert).length === 0) return reject(new Error("the server sent no certificate"));
        const identity = checkServerIdentity(host, cert);
        resolve({
          untrusted: socket.authorized ? undefined : String(socket.authorizationError),
          wrongHost: identity ? identity.message : undefined,
          validFrom: new Date(cert.valid_from),
          validTo: new Date(cert.valid_to),
          subject: [cert.subject?.CN ?? ""].flat().join(", "),
        });
      },
    );
    socket.on("timeout", () => socket.destroy(new Error(`no TLS handshake within ${TIMEOUT_MS / 1000} s`)));
    socket.on("error", reject);
  });
}

/** An HTTP answer with when it was sent and received, for clock comparisons. */
export interface TimedResponse {
  status: number;
  body: unknown;
  date: string | null;
  sent: number;
  received: number;
}

/** One HTTP request with a timeout; rejects when the server cannot be reached. */
export async function timedFetch(url: string, init: RequestInit = {}): Promise<TimedResponse> {
  const sent = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  const text = await res.text();
  const received = Date.now();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, date: res.headers.get("date"), sent, received };
}

/** A failed fetch's most telling reason (`ECONNREFUSED` rather than "fetch failed"). */
export function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
