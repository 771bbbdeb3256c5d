/** The benchmark's output: `gateway/bench/out/latest.json` and a readable table against the targets in docs/performance.md. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

type Num = number | null | undefined;

export interface Report {
  when: string;
  mode: "quick" | "full";
  versions: Record<string, string>;
  machine: Record<string, unknown>;
  baselines: Record<string, Num>;
  baselines_mongodb?: Record<string, Num>;
  system: Record<string, unknown>;
  system_mongodb?: Record<string, unknown>;
  /** `parley-gateway --workers 1` vs `--workers 2` on the MongoDB store, server side isolated (scaling.ts). */
  scaling?: Record<string, unknown>;
  bundles: Record<string, Num>;
  /** Listen-together sync (gateway/bench/listen.ts), when measured. */
  listen?: Record<string, Num>;
  targets: Target[];
  details: Record<string, unknown>;
  notes: string[];
}

export interface Target {
  figure: string;
  target: string;
  measured: string;
  /** null: not measured. */
  met: boolean | null;
}

const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const fmt = (v: unknown) =>
  typeof v === "number" ? v.toLocaleString("en-US") : v === null ? "null" : String(v ?? "-");

/** Evaluates every target of docs/performance.md from the figures. */
export function evaluateTargets(r: Omit<Report, "targets">): Target[] {
  const b = r.baselines;
  const s = r.system;
  const out: Target[] = [];
  const send = n(s.send_msgs_per_s);
  const append = n(b.store_append_per_s);
  const request = n(b.nats_request_per_s);
  if (send !== undefined && append !== undefined && request !== undefined) {
    const half = 0.5 * Math.min(append, request);
    out.push({
      figure: "send throughput (embedded)",
      target: `>= 0.5 x min(append ${fmt(append)}, request ${fmt(request)}) = ${fmt(Math.round(half))} msgs/s`,
      measured: `${fmt(send)} msgs/s`,
      met: send >= half,
    });
  }
  const gwUs = n(s.gateway_us_per_msg);
  const natsUs = n(s.nats_us_per_msg);
  const gwIso = n(s.gateway_us_per_msg_isolated);
  const natsIso = n(s.nats_us_per_msg_isolated);
  const isolated = typeof s.isolation === "string" && !s.isolation.startsWith("none");
  if (gwIso !== undefined && natsIso !== undefined && isolated) {
    // Checked on the server-cost phase (servers pinned apart from the load generator, fixed rate), ADR 0056.
    out.push({
      figure: `server CPU per message (embedded, isolated, ${fmt(s.isolated_rate_msgs_per_s)} msgs/s)`,
      target: "gateway <= 100 us, nats-server <= 60 us",
      measured: `gateway ${gwIso} us, nats-server ${natsIso} us (${fmt(s.isolated_msgs_per_batch)} msgs/batch; shared closed loop ${fmt(gwUs)} / ${fmt(natsUs)} us)`,
      met: gwIso <= 100 && natsIso <= 60,
    });
  } else if (gwUs !== undefined && natsUs !== undefined) {
    out.push({
      figure: "server CPU per message (embedded, shared)",
      target: "gateway <= 100 us, nats-server <= 60 us",
      measured: `gateway ${gwUs} us, nats-server ${natsUs} us`,
      met: gwUs <= 100 && natsUs <= 60,
    });
  }
  const m = r.system_mongodb;
  const mAppend = n(r.baselines_mongodb?.store_append_per_s);
  if (m && n(m.send_msgs_per_s) !== undefined && mAppend !== undefined && request !== undefined) {
    const half = 0.5 * Math.min(mAppend, request);
    out.push({
      figure: "send throughput (mongodb)",
      target: `>= 0.5 x min(append ${fmt(mAppend)}, request ${fmt(request)}) = ${fmt(Math.round(half))} msgs/s`,
      measured: `${fmt(m.send_msgs_per_s)} msgs/s`,
      met: (n(m.send_msgs_per_s) ?? 0) >= half,
    });
  }
  const p99 = n(s.delivery_p99_ms);
  const reqP99 = n(b.nats_request_p99_ms);
  const appP99 = n(b.store_append_p99_ms);
  if (p99 !== undefined && reqP99 !== undefined && appP99 !== undefined) {
    const limit = reqP99 + appP99 + 5;
    out.push({
      figure: "delivery p99 at half load",
      target: `<= request p99 ${reqP99} + append p99 ${appP99} + 5 = ${Math.round(limit * 100) / 100} ms`,
      measured: `${p99} ms at ${fmt(s.latency_load_msgs_per_s)} msgs/s`,
      met: p99 <= limit,
    });
  }
  const integrity = [
    ["system", s.lost, s.duplicated],
    ["mongodb", m?.lost, m?.duplicated],
    ["scaling", r.scaling?.lost, r.scaling?.duplicated],
    ["storm", s.storm_lost, s.storm_duplicated],
  ] as const;
  const parts = integrity.filter(([, l]) => l !== undefined).map(([k, l, d]) => `${k} ${fmt(l)}/${fmt(d)}`);
  out.push({
    figure: "lost, duplicated",
    target: "0, 0",
    measured: parts.join(", "),
    met: integrity.every(([, l, d]) => (l ?? 0) === 0 && (d ?? 0) === 0),
  });
  const h1k = n(s.history_p99_ms_1k);
  const h1m = n(s.history_p99_ms_1m);
  if (h1k !== undefined && h1m !== undefined) {
    out.push({
      figure: `history p99 (${fmt(s.history_big_n)} vs 1,000)`,
      target: `<= 1.5 x ${h1k} = ${Math.round(h1k * 150) / 100} ms`,
      measured: `${h1m} ms`,
      met: h1m <= 1.5 * h1k,
    });
  }
  const ws = n(s.ws_clients);
  const kib = n(s.nats_server_kib_per_client);
  if (ws !== undefined && kib !== undefined) {
    out.push({
      figure: "idle WebSocket clients",
      target: "10,000 on one nats-server, <= 25 KiB each",
      measured: `${fmt(ws)} clients, ${kib} KiB each`,
      met: ws >= 10_000 && kib <= 25,
    });
  }
  const kibLimited = n(s.nats_server_kib_per_client_gomemlimit);
  if (kibLimited !== undefined) {
    out.push({
      figure: "idle clients, GOMEMLIMIT (ADR 0015)",
      target: `10,000 clients, <= 40 KiB each with ${String(s.nats_gomemlimit)}, after ${fmt(s.nats_gomemlimit_settle_s)} s`,
      measured: `${fmt(s.nats_gomemlimit_clients)} clients, ${kibLimited} KiB each`,
      met: (n(s.nats_gomemlimit_clients) ?? 0) >= 10_000 && kibLimited <= 40,
    });
  }
  const launcher = r.bundles.launcher_gz_bytes;
  out.push({
    figure: "launcher",
    target: "<= 6,500 gz bytes",
    measured: fmt(launcher),
    met: typeof launcher === "number" ? launcher <= 6_500 : null,
  });
  const chat = r.bundles.chat_gz_bytes;
  out.push({
    figure: "chat on open",
    target: "<= 200,000 gz bytes (stretch 130,000)",
    measured: fmt(chat),
    met: typeof chat === "number" ? chat <= 200_000 : null,
  });
  return out;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")).join("\n");
}

export function renderTable(r: Report): string {
  const b = r.baselines;
  const s = r.system;
  const m = r.system_mongodb ?? {};
  const bm = r.baselines_mongodb ?? {};
  const figures: string[][] = [
    ["figure", "baseline", "system (embedded)", "system (mongodb)"],
    ["nats pub/sub msgs/s", fmt(b.nats_pubsub_msgs_per_s), "", ""],
    [
      "nats request/s | p50 | p99 ms",
      `${fmt(b.nats_request_per_s)} | ${fmt(b.nats_request_p50_ms)} | ${fmt(b.nats_request_p99_ms)}`,
      "",
      "",
    ],
    [
      "store append/s | p99 ms",
      `${fmt(b.store_append_per_s)} | ${fmt(b.store_append_p99_ms)}`,
      "",
      `${fmt(bm.store_append_per_s)} | ${fmt(bm.store_append_p99_ms)}`,
    ],
    ["http no-op req/s", fmt(b.http_noop_req_per_s), "", ""],
    [
      "send msgs/s (senders)",
      "",
      `${fmt(s.send_msgs_per_s)} (${fmt(s.senders)})`,
      `${fmt(m.send_msgs_per_s)} (${fmt(m.senders)})`,
    ],
    [
      "delivery p50 | p99 ms @ load",
      "",
      `${fmt(s.delivery_p50_ms)} | ${fmt(s.delivery_p99_ms)} @ ${fmt(s.latency_load_msgs_per_s)}/s`,
      "",
    ],
    [
      "us/msg: gateway | nats-server",
      "",
      `${fmt(s.gateway_us_per_msg)} | ${fmt(s.nats_us_per_msg)}`,
      `${fmt(m.gateway_us_per_msg)} | ${fmt(m.nats_us_per_msg)}`,
    ],
    [
      "workers 1 | 2 msgs/s (ratio)",
      "",
      "",
      `${fmt(r.scaling?.workers_1_msgs_per_s)} | ${fmt(r.scaling?.workers_2_msgs_per_s)} (${fmt(r.scaling?.ratio)}) at ${fmt(r.scaling?.cpus_per_worker)} CPU/worker`,
    ],
    ["lost | duplicated", "", `${fmt(s.lost)} | ${fmt(s.duplicated)}`, `${fmt(m.lost)} | ${fmt(m.duplicated)}`],
    [
      "history p99 ms 1k | big (n)",
      "",
      `${fmt(s.history_p99_ms_1k)} | ${fmt(s.history_p99_ms_1m)} (${fmt(s.history_big_n)})`,
      "",
    ],
    ["ws clients | KiB each", "", `${fmt(s.ws_clients)} | ${fmt(s.nats_server_kib_per_client)}`, ""],
    [
      "KiB each with GOMEMLIMIT",
      "",
      `${fmt(s.nats_server_kib_per_client_gomemlimit)} (${String(s.nats_gomemlimit ?? "-")})`,
      "",
    ],
    [
      "storm reconnected | lost",
      "",
      `${fmt(s.storm_reconnected)}/${fmt(s.storm_clients)} in ${fmt(s.storm_reconnect_s)} s | ${fmt(s.storm_lost)}`,
      "",
    ],
    [
      "crypto us/message (wasm)",
      "",
      `${fmt(s.crypto_us_per_message)} ${String(s.crypto_backend ?? "")} (${fmt(s.crypto_wasm_us_per_message)})`,
      "",
    ],
    [
      "bundles gz: launcher | chat | sdk",
      "",
      `${fmt(r.bundles.launcher_gz_bytes)} | ${fmt(r.bundles.chat_gz_bytes)} | ${fmt(r.bundles.sdk_gz_bytes)}`,
      "",
    ],
    ["bundles br: launcher | chat", "", `${fmt(r.bundles.launcher_br_bytes)} | ${fmt(r.bundles.chat_br_bytes)}`, ""],
    [
      "listen sync ms: median | max | join",
      "",
      `${fmt(r.listen?.listen_sync_median_ms)} | ${fmt(r.listen?.listen_sync_max_ms)} | ${fmt(r.listen?.listen_join_offset_ms)}`,
      "",
    ],
  ];
  const targets = [
    ["target", "goal", "measured", "met"],
    ...r.targets.map((t) => [t.figure, t.target, t.measured, t.met === null ? "n/a" : t.met ? "met" : "NOT met"]),
  ];
  return `${table(figures)}\n\n${table(targets)}\n`;
}

export async function writeReport(file: string, r: Report): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(r, null, 2)}\n`);
}
