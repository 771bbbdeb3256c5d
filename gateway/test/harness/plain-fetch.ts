/**
 * Just enough `fetch` for the SDK's session calls (JSON in, JSON out) over
 * `node:http`, each call on a new TCP connection (no keep-alive pool), and
 * optionally from a chosen local address. The workers test needs the new
 * connections (the supervisor hands connections to the workers in turn, so a
 * pooled one would keep every call on one worker); the benchmark needs the
 * address (the session routes limit sessions per client IP).
 */
import { request } from "node:http";

export interface PlainFetchOptions {
  /** The local address to connect from (e.g. 127.0.1.7). @default the system's choice */
  localAddress?: string;
}

/** A `fetch` for the SDK's session calls: a new connection per call, from `localAddress` if given. */
export function plainFetch(options: PlainFetchOptions = {}): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" || input instanceof URL ? input : input.url);
    const body = typeof init?.body === "string" ? init.body : "";
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        {
          method: init?.method ?? "GET",
          agent: false,
          ...(options.localAddress ? { localAddress: options.localAddress } : {}),
          headers: { ...Object.fromEntries(new Headers(init?.headers)), "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.once("end", () =>
            resolve(
              new Response(Buffer.concat(chunks), {
                status: res.statusCode ?? 500,
                headers: { "content-type": "application/json" },
              }),
            ),
          );
          res.once("error", reject);
        },
      );
      req.once("error", reject);
      req.end(body);
    });
  }) as typeof fetch;
}
