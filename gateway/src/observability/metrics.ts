/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway
 * instance: several gateways in one process (the tests) never share counters,
 * and nothing lands in prom-client's global registry. The Node.js process
 * metrics (CPU, memory, event-loop lag, GC) belong to the process, so they sit
 * in one registry of their own that every gateway's scrape appends.
 *
 * Labels only take values from fixed sets: op names (an unknown op counts as
 * `unknown`), error codes, route patterns, store method names, limiter names.
 * Never principal ids, conversation ids or raw paths. What the gateway already
 * counts (requests in flight, connections the watcher knows) is read at scrape
 * time, so it costs nothing between scrapes.
 */
import { type ErrorCode, isRpcOp } from "@parley/sdk/protocol";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** How a request reached the gateway. */
export type Transport = "nats" | "http";

/** Seconds: 1 ms to 10 s, for requests and sends (receipt to reply). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
/** Seconds: 0.1 ms to 5 s, for one store call. */
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5];

/** Figures the gateway keeps anyway, read at each scrape. */
export interface MetricsSources {
  /** RPCs running now on this gateway. */
  inFlight?: () => number;
  /** Principals' NATS connections the connection watcher knows of, and how many principals hold them. */
  connections?: () => { connections: number; principals: number; kicks: number };
  /** Whether the gateway's own NATS connection is up. */
  natsConnected?: () => boolean;
}

let processRegistry: Registry | undefined;

/** The process-wide registry of Node.js default metrics, made on first use. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** One gateway's metrics: the hooks call the methods below; {@link GatewayMetrics.scrape} renders them. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly #rpcRequests = new Counter({
    name: "parley_rpc_requests_total",
    help: "RPC requests answered, by op, result code (ok or the error code) and transport",
    labelNames: ["op", "code", "transport"] as const,
    registers: [this.registry],
  });
  readonly #rpcDuration = new Histogram({
    name: "parley_rpc_duration_seconds",
    help: "Time from receiving an RPC request to sending its reply, every op",
    labelNames: ["transport"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly #sendDuration = new Histogram({
    name: "parley_send_duration_seconds",
    help: "msg.send: time from receiving the request to its acknowledgement, reply or event (stored and published)",
    labelNames: ["transport"] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });
  readonly #storeDuration = new Histogram({
    name: "parley_store_duration_seconds",
    help: "Time of one store call, by store method and store kind",
    labelNames: ["operation", "store"] as const,
    buckets: STORE_BUCKETS,
    registers: [this.registry],
  });
  readonly #storeErrors = new Counter({
    name: "parley_store_errors_total",
    help: "Store calls that failed, by store method and store kind",
    labelNames: ["operation", "store"] as const,
    registers: [this.registry],
  });
  readonly #limitHits = new Counter({
    name: "parley_limit_hits_total",
    help: "Requests refused by a rate limit, quota or concurrency limit, by limiter",
    labelNames: ["limiter"] as const,
    registers: [this.registry],
  });
  readonly #dropped = new Counter({
    name: "parley_rpc_dropped_total",
    help: "NATS requests dropped unrun: no reply subject, or one that is not the caller's inbox",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly #natsEvents = new Counter({
    name: "parley_nats_connection_events_total",
    help: "Disconnects and reconnects of the gateway's own NATS connections (service, watcher)",
    labelNames: ["connection", "event"] as const,
    registers: [this.registry],
  });
  readonly #httpRequests = new Counter({
    name: "parley_http_requests_total",
    help: "HTTP requests answered, by route pattern, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources = {}) {
    const { registry } = this;
    new Gauge({
      name: "parley_rpc_in_flight",
      help: "RPC requests running now on this gateway (NATS and HTTP)",
      registers: [registry],
      collect() {
        this.set(sources.inFlight?.() ?? 0);
      },
    });
    const watched = () => sources.connections?.() ?? { connections: 0, principals: 0, kicks: 0 };
    new Gauge({
      name: "parley_open_connections",
      help: "Principals' live NATS connections (app and bots accounts), as the connection watcher knows them",
      registers: [registry],
      collect() {
        this.set(watched().connections);
      },
    });
    new Gauge({
      name: "parley_connected_principals",
      help: "Principals with at least one live NATS connection",
      registers: [registry],
      collect() {
        this.set(watched().principals);
      },
    });
    new Counter({
      name: "parley_nats_kicks_total",
      help: "Principal connections the watcher closed (over a cap, revoked)",
      registers: [registry],
      collect() {
        this.reset();
        this.inc(watched().kicks);
      },
    });
    new Gauge({
      name: "parley_nats_connected",
      help: "1 while the gateway's own NATS connection is up, else 0",
      registers: [registry],
      collect() {
        this.set(sources.natsConnected?.() ? 1 : 0);
      },
    });
  }

  /** Counts one answered RPC, and its time (seconds since `startedMs`, a `performance.now()`). */
  rpc(op: string, code: ErrorCode | "ok", transport: Transport, startedMs: number): void {
    const seconds = (performance.now() - startedMs) / 1000;
    const known = isRpcOp(op) ? op : "unknown";
    this.#rpcRequests.inc({ op: known, code, transport });
    this.#rpcDuration.observe({ transport }, seconds);
    if (known === "msg.send") this.#sendDuration.observe({ transport }, seconds);
  }

  /**
   * Counts a failed request's refusal by a limit, if it was one: `rate_limited` and `busy` by the
   * limiter that refused (`send`, `quota.conv.open`, `busy_principal`, ...), `quota_exceeded` as
   * `storage_quota`. Other errors are not limit hits.
   */
  failed(error: { code: ErrorCode; limiter?: string | undefined }): void {
    if (error.code === "rate_limited" || error.code === "busy") {
      this.#limitHits.inc({ limiter: error.limiter ?? error.code });
    } else if (error.code === "quota_exceeded") {
      this.#limitHits.inc({ limiter: "storage_quota" });
    }
  }

  /** Counts one store call of `seconds`, and whether it failed. */
  store(operation: string, store: string, seconds: number, failed: boolean): void {
    this.#storeDuration.observe({ operation, store }, seconds);
    if (failed) this.#storeErrors.inc({ operation, store });
  }

  /** Counts a NATS request dropped unrun. */
  dropped(reason: "foreign_reply" | "no_reply"): void {
    this.#dropped.inc({ reason });
  }

  /** Counts a disconnect or reconnect of one of the gateway's own NATS connections. */
  natsEvent(connection: "service" | "watcher", event: "disconnect" | "reconnect"): void {
    this.#natsEvents.inc({ connection, event });
  }

  /** Counts one answered HTTP request (`route` is the matched pattern, never the raw path). */
  http(route: string, method: string, status: number): void {
    this.#httpRequests.inc({ route, method, status: String(status) });
  }

  /** The Prometheus text format of this gateway's metrics and the process's. */
  async scrape(): Promise<string> {
    const own = await this.registry.metrics();
    return `${own}\n${await processMetrics().metrics()}`;
  }

  /** The content type of {@link GatewayMetrics.scrape}. */
  get contentType(): string {
    return this.registry.contentType;
  }
}
