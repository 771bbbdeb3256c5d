/**
 * Lets TCP (`@nats-io/transport-node` `connect`) and WebSocket (`wsconnect`)
 * connections live in one Node process and both reconnect.
 *
 * Why this exists: nats.js v3 keeps ONE module-global transport factory, and
 * both `connect()` and `wsconnect()` replace it on every call. Every later dial,
 * reconnects included, uses whichever was set last. So once a test opens a
 * WebSocket client, the gateway's TCP connection reconnects through the WebSocket
 * transport after a nats-server restart and hangs in "reconnecting" (found in
 * nats-permissions.test.ts). Browsers and the gateway each use one transport,
 * so production is not affected; only processes that mix both are.
 *
 * The fix installs a factory whose transport picks the real one per dial: the
 * WebSocket transport when the connection options carry a `wsFactory` (every
 * harness WebSocket client does), the Node TCP transport otherwise.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ConnectionOptions, Server } from "@nats-io/nats-core";
import { setTransportFactory, type Transport, wsUrlParseFn } from "@nats-io/nats-core/internal";

const require = createRequire(import.meta.url);
type TransportCtor = new () => Transport;
// Neither class is exported from a public entry point; load the very module
// instances the entry points use (CommonJS, one cache entry per file).
const { WsTransport } = require(join(dirname(require.resolve("@nats-io/nats-core")), "ws_transport.js")) as {
  WsTransport: TransportCtor;
};
const { NodeTransport } = require("@nats-io/transport-node/lib/node_transport.js") as {
  NodeTransport: TransportCtor;
};

class DualTransport implements Transport {
  #inner: Transport | undefined;
  // The protocol asks for closed() before it calls connect(): relay the inner one's.
  #resolveClosed: (v: undefined | Error) => void = () => {};
  readonly #closed = new Promise<undefined | Error>((resolve) => {
    this.#resolveClosed = resolve;
  });

  get isClosed(): boolean {
    return this.#inner?.isClosed ?? false;
  }
  get lang(): string {
    return this.#inner?.lang ?? "nats.js";
  }
  get version(): string {
    return this.#inner?.version ?? "";
  }
  get closeError(): Error | undefined {
    return this.#inner?.closeError;
  }
  #t(): Transport {
    if (!this.#inner) throw new Error("transport not connected");
    return this.#inner;
  }
  connect(server: Server, opts: ConnectionOptions): Promise<void> {
    const ws = (opts as { wsFactory?: unknown }).wsFactory !== undefined;
    const inner = ws ? new WsTransport() : new NodeTransport();
    this.#inner = inner;
    inner.closed().then(
      (v) => this.#resolveClosed(v ?? undefined),
      (err: Error) => this.#resolveClosed(err),
    );
    return inner.connect(server, opts);
  }
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this.#t()[Symbol.asyncIterator]();
  }
  isEncrypted(): boolean {
    return this.#inner?.isEncrypted() ?? false;
  }
  send(frame: Uint8Array): void {
    this.#t().send(frame);
  }
  async close(err?: Error): Promise<void> {
    await this.#inner?.close(err);
  }
  disconnect(): void {
    this.#inner?.disconnect();
  }
  closed(): Promise<undefined | Error> {
    return this.#closed;
  }
  discard(): void {
    this.#inner?.discard();
  }
}

/** Installs the dispatching factory. Call again after every `connect()`/`wsconnect()`, which replace it. */
export function installDualTransport(): void {
  setTransportFactory({
    factory: () => new DualTransport(),
    // ws:// and wss:// URLs get the WebSocket parser; anything else is left to the default (TCP).
    urlParseFn: (u: string, encrypted?: boolean) => (/^wss?:\/\//i.test(u) ? wsUrlParseFn(u, encrypted) : u),
  });
}

/** Runs a connect function and re-installs the dispatching factory it replaced. */
export function withDualTransport<T>(connectFn: () => Promise<T>): Promise<T> {
  installDualTransport();
  const p = connectFn();
  installDualTransport();
  return p;
}
