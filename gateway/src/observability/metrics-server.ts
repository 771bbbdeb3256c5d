/**
 * The `/metrics` listener (ADR 0042): a plain HTTP server of its own, apart
 * from the public port, bound to loopback unless configured otherwise, and
 * asking for a bearer token when one is set. It answers `GET /metrics` and
 * nothing else.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import type { GatewayMetrics } from "./metrics.js";

export interface MetricsServerOptions {
  metrics: GatewayMetrics;
  /** Listen address. @default "127.0.0.1" */
  host?: string;
  /** Listen port; 0 picks a free one. */
  port: number;
  /** Bearer token a scrape must present; undefined: none asked for. */
  token?: string | undefined;
  log: Logger;
}

/** A started metrics listener. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Whether the request's `Authorization` header is `Bearer <token>`, compared in constant time. */
function authorized(req: IncomingMessage, token: string): boolean {
  const given = Buffer.from(req.headers.authorization ?? "");
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Starts the listener; resolves once it accepts connections. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    if (o.token !== undefined && !authorized(req, o.token)) {
      res.writeHead(401, { "Content-Type": "text/plain", "WWW-Authenticate": "Bearer" }).end("unauthorized\n");
      return;
    }
    o.metrics.scrape().then(
      (text) => {
        res.writeHead(200, { "Content-Type": o.metrics.contentType, "Cache-Control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (err: unknown) => {
        o.log.error({ err }, "metrics scrape failed");
        res.writeHead(500, { "Content-Type": "text/plain" }).end("scrape failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Exclusive: under `--workers` each worker listens on its own port, not one the cluster shares
    // (a shared one would answer each scrape from whichever worker took the connection).
    server.listen({ port: o.port, host: o.host ?? "127.0.0.1", exclusive: true }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/metrics`;
  o.log.info({ url, tokenRequired: o.token !== undefined }, "metrics listening");
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
