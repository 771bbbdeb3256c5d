/**
 * A real HTTP server on a loopback port that receives webhooks: it keeps
 * every request (headers and the raw body) and answers each with the next
 * status of its script (then 200). A script can be kept to the requests whose
 * body contains a given string, so that a late delivery of an earlier test's
 * event does not take a status meant for this one.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  /** What the receiver answered. */
  status: number;
  /** The `Parley-Webhook-Id` header. */
  id: string;
  /** The event type from the body. */
  type: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Statuses to answer, in order, before answering 200 again; with `only`, to bodies containing it. */
  script(statuses: number[], only?: string): void;
  /** The delivered (2xx) requests of one event type. */
  delivered(type?: string): ReceivedWebhook[];
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startWebhookReceiver(path = "/parley/webhook"): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let queue: number[] = [];
  let only: string | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const scripted = only === undefined || raw.includes(only);
      const status = req.url !== path ? 404 : scripted ? (queue.shift() ?? 200) : 200;
      let type = "";
      try {
        type = String((JSON.parse(raw) as { type?: unknown }).type ?? "");
      } catch {}
      received.push({ headers: req.headers, raw, status, id: String(req.headers["parley-webhook-id"] ?? ""), type });
      res.writeHead(status, { "Content-Type": "text/plain" }).end(status === 200 ? "ok" : "try again");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    script(statuses, match) {
      queue = [...statuses];
      only = match;
    },
    delivered: (type) => received.filter((r) => r.status >= 200 && r.status < 300 && (!type || r.type === type)),
    async [Symbol.asyncDispose]() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
