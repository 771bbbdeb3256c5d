/**
 * What the scaling run reads from each gateway worker besides its CPU time:
 * its `/metrics` (store calls by operation, before and after the window) and,
 * with `--profile`, a V8 CPU profile of the window taken over the inspector
 * protocol (each worker started with `--inspect`, the profile started and
 * stopped from here, so it covers the measured window only).
 */
import { writeFile } from "node:fs/promises";
import WebSocket from "ws";

/** `parley_store_duration_seconds_count` by operation, and `parley_store_errors_total` summed. */
export interface StoreCalls {
  byOperation: Record<string, number>;
  errors: number;
  /** `parley_rpc_requests_total` by `op code`. */
  rpc: Record<string, number>;
}

/** Scrapes one worker's metrics listener. */
export async function scrapeStoreCalls(metricsUrl: string): Promise<StoreCalls> {
  const text = await (await fetch(metricsUrl)).text();
  const byOperation: Record<string, number> = {};
  let errors = 0;
  const rpc: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const req = /^parley_rpc_requests_total\{([^}]*)\} (\S+)$/.exec(line);
    if (req) {
      const key = `${/op="([^"]+)"/.exec(req[1] ?? "")?.[1]} ${/code="([^"]+)"/.exec(req[1] ?? "")?.[1]}`;
      rpc[key] = (rpc[key] ?? 0) + Number(req[2]);
    }
    const count = /^parley_store_duration_seconds_count\{([^}]*)\} (\S+)$/.exec(line);
    const op = count && /operation="([^"]+)"/.exec(count[1] ?? "")?.[1];
    if (count && op) byOperation[op] = (byOperation[op] ?? 0) + Number(count[2]);
    const err = /^parley_store_errors_total\{[^}]*\} (\S+)$/.exec(line);
    if (err) errors += Number(err[1]);
  }
  return { byOperation, errors, rpc };
}

/** Store calls per delivered message between two scrapes, by operation (those with any). */
export function callsPerMessage(before: StoreCalls, after: StoreCalls, delivered: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.byOperation)) {
    const d = n - (before.byOperation[op] ?? 0);
    if (d > 0) out[op] = delivered > 0 ? Math.round((d / delivered) * 1000) / 1000 : d;
  }
  return out;
}

/** A minimal Chrome DevTools Protocol session on one process's inspector. */
export class InspectorSession {
  readonly #ws: WebSocket;
  #next = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown };
      if (msg.id !== undefined) this.#pending.get(msg.id)?.(msg.result);
    });
  }

  static async open(url: string): Promise<InspectorSession> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    return new InspectorSession(ws);
  }

  post(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async startProfile(): Promise<void> {
    await this.post("Profiler.enable");
    await this.post("Profiler.setSamplingInterval", { interval: 500 });
    await this.post("Profiler.start");
  }

  async stopProfile(file: string): Promise<void> {
    const result = (await this.post("Profiler.stop")) as { profile: unknown };
    await writeFile(file, JSON.stringify(result.profile));
  }

  close(): void {
    this.#ws.close();
  }
}
