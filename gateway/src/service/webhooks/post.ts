/**
 * One webhook POST: node's http/https client with a `lookup` that refuses
 * blocked addresses (url-policy.ts) on the address the connection really
 * uses, a deadline for the whole exchange, no redirects followed, and the
 * response body read and thrown away (never kept, never logged).
 */
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { addressProblem } from "./url-policy.js";

export interface PostResult {
  /** The HTTP status; 0 when there was none. */
  status: number;
  /** Why there was no status, for people. */
  error?: string;
}

/** A `lookup` that fails for addresses a webhook may not reach. */
function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, "", 0);
      const list = Array.isArray(addresses) ? addresses : [];
      for (const a of list) {
        const problem = addressProblem(a.address, allowLoopback);
        if (problem) return callback(Object.assign(new Error(`blocked: ${problem}`), { code: "EBLOCKED" }), "", 0);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error("no address"), { code: "ENOTFOUND" }), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

export function postWebhook(options: {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowLoopback: boolean;
}): Promise<PostResult> {
  const url = new URL(options.url);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request(url, {
      method: "POST",
      headers: {
        ...options.headers,
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(options.body)),
        "User-Agent": "Parley-Webhooks/1",
      },
      lookup: guardedLookup(options.allowLoopback),
      agent: false,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => done({ status: res.statusCode ?? 0 }));
      res.on("error", () => done({ status: res.statusCode ?? 0 }));
    });
    req.on("error", (err) => done({ status: 0, error: err.message.slice(0, 200) }));
    req.end(options.body);
  });
}
