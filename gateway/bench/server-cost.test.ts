/** The server-cost phase's report fields (server-cost.ts `isolatedFigures`): which row is the headline. */
import { describe, expect, it } from "vitest";
import { isolatedFigures, type ServerCost, type ServerCostRow } from "./server-cost.js";

function row(placement: ServerCostRow["placement"], rate: number, msgsPerS: number, gatewayUs: number): ServerCostRow {
  return {
    placement,
    rate,
    msgs_per_s: msgsPerS,
    gateway_us_per_msg: gatewayUs,
    nats_us_per_msg: gatewayUs / 3,
    msgs_per_batch: 1,
    batches: 100,
    delivered: 100,
    p50_ms: 2,
    p99_ms: 10,
    cpu_seconds: { gateway: 0.1, nats: 0.03 },
    gateway_threads_us_per_msg: {},
  };
}

function cost(rows: ServerCostRow[], method: "taskset" | "none" = "taskset"): ServerCost {
  return {
    pinning:
      method === "none"
        ? { method, reason: "1 CPU allowed: no second CPU for the load generator", servers_cpus: [], load_cpus: [] }
        : { method, servers_cpus: [1], load_cpus: [0] },
    weight: "cgroup-v1",
    unpinned_threads: 0,
    idle_cpu_pct: { gateway: 0, nats: 0 },
    rows,
  };
}

describe("isolatedFigures", () => {
  it("takes the pinned row of the highest rate the load generator kept up with, not a shared or closed-loop row", () => {
    const f = isolatedFigures(
      cost([
        row("shared", 750, 750, 700),
        row("pinned", 250, 250, 900),
        row("pinned", 750, 700, 600),
        row("pinned", 1000, 850, 500),
        row("pinned", 0, 1200, 400),
      ]),
    );
    // 1,000/s delivered 85%: fell behind; 750/s delivered 93%.
    expect(f).toMatchObject({ gateway_us_per_msg_isolated: 600, isolated_rate_msgs_per_s: 750 });
    expect(f.isolation).toBe(
      "taskset: nats-server and the gateway on CPU 1, the load generator on 0; weight cgroup-v1",
    );
    expect(Object.keys(f.server_cost_by_rate as object)).toEqual(["250", "750", "1000", "closed"]);
  });

  it("falls back to the highest fixed rate when none kept up, and says when nothing was pinned", () => {
    const f = isolatedFigures(cost([row("pinned", 250, 200, 900), row("pinned", 500, 300, 800)], "none"));
    expect(f).toMatchObject({ gateway_us_per_msg_isolated: 800, isolated_rate_msgs_per_s: 500 });
    expect(String(f.isolation)).toMatch(/^none \(1 CPU allowed: .*\): the server-cost figures share the CPUs/);
  });

  it("reports nothing without a pinned fixed-rate row", () => {
    expect(isolatedFigures(cost([row("shared", 500, 500, 700), row("pinned", 0, 1200, 400)]))).toEqual({});
  });
});
