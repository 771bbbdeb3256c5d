import { describe, expect, it } from "vitest";
import { GatewayError } from "../errors.js";
import { RpcAdmission } from "../service/rpc-admission.js";
import { GatewayMetrics } from "./metrics.js";

/** The value of the one sample of `name` with exactly these labels in `text`, or undefined. */
function value(text: string, name: string, labels: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `));
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

describe("GatewayMetrics", () => {
  it("keeps each gateway's counts apart and appends the process metrics", async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics();
    a.rpc("msg.send", "ok", "nats", performance.now());
    a.rpc("msg.send", "ok", "nats", performance.now());
    b.rpc("msg.send", "ok", "http", performance.now());
    const textA = await a.scrape();
    const textB = await b.scrape();
    expect(value(textA, "parley_rpc_requests_total", 'op="msg.send",code="ok",transport="nats"')).toBe(2);
    expect(value(textA, "parley_send_duration_seconds_count", 'transport="nats"')).toBe(2);
    expect(value(textB, "parley_rpc_requests_total", 'op="msg.send",code="ok",transport="nats"')).toBeUndefined();
    expect(value(textB, "parley_rpc_requests_total", 'op="msg.send",code="ok",transport="http"')).toBe(1);
    for (const text of [textA, textB]) expect(text).toContain("# TYPE process_cpu_seconds_total counter");
  });

  it("counts an op it does not know as unknown, and only msg.send in the send histogram", async () => {
    const m = new GatewayMetrics();
    m.rpc("c_made_up.op", "not_found", "nats", performance.now());
    m.rpc("msg.history", "ok", "nats", performance.now());
    const text = await m.scrape();
    expect(value(text, "parley_rpc_requests_total", 'op="unknown",code="not_found",transport="nats"')).toBe(1);
    expect(text).not.toContain("c_made_up");
    expect(value(text, "parley_send_duration_seconds_count", 'transport="nats"')).toBeUndefined();
    expect(value(text, "parley_rpc_duration_seconds_count", 'transport="nats"')).toBe(2);
  });

  it("counts limit refusals by the limiter that refused, and nothing for other errors", async () => {
    const m = new GatewayMetrics();
    const admission = new RpcAdmission({ perPrincipal: 1, total: 10 });
    admission.enter("p1");
    let busy: unknown;
    try {
      admission.enter("p1");
    } catch (err) {
      busy = err;
    }
    expect(busy).toBeInstanceOf(GatewayError);
    m.failed(busy as GatewayError);
    m.failed(new GatewayError("rate_limited", undefined, { limiter: "send" }));
    m.failed(new GatewayError("rate_limited"));
    m.failed(new GatewayError("quota_exceeded"));
    m.failed(new GatewayError("not_found"));
    const text = await m.scrape();
    expect(value(text, "parley_limit_hits_total", 'limiter="busy_principal"')).toBe(1);
    expect(value(text, "parley_limit_hits_total", 'limiter="send"')).toBe(1);
    expect(value(text, "parley_limit_hits_total", 'limiter="rate_limited"')).toBe(1);
    expect(value(text, "parley_limit_hits_total", 'limiter="storage_quota"')).toBe(1);
    expect(text.match(/^parley_limit_hits_total\{/gm)).toHaveLength(4);
  });

  it("reads what the gateway keeps at scrape time", async () => {
    let connections = 3;
    const m = new GatewayMetrics({
      inFlight: () => 5,
      connections: () => ({ connections, principals: 2, kicks: 7 }),
      natsConnected: () => true,
    });
    expect(value(await m.scrape(), "parley_open_connections", "")).toBe(3);
    connections = 4;
    const text = await m.scrape();
    expect(value(text, "parley_open_connections", "")).toBe(4);
    expect(value(text, "parley_connected_principals", "")).toBe(2);
    expect(value(text, "parley_nats_kicks_total", "")).toBe(7);
    expect(value(text, "parley_rpc_in_flight", "")).toBe(5);
    expect(value(text, "parley_nats_connected", "")).toBe(1);
  });
});
