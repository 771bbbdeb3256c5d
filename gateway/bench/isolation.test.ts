/**
 * The benchmark's CPU placement (isolation.ts): the split it chooses for a set
 * of CPUs, the reasons it gives when it cannot split, and real pinning of a
 * real multi-threaded process with taskset.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { createPinning, parseCpuList, splitCpus } from "./isolation.js";

describe("parseCpuList", () => {
  it("reads ranges and single CPUs, sorted and without repeats", () => {
    expect(parseCpuList("0-1")).toEqual([0, 1]);
    expect(parseCpuList("0-3,6,2\n")).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList("5")).toEqual([5]);
  });

  it("refuses what is not a CPU list", () => {
    expect(() => parseCpuList("0-1,x")).toThrow(/not a CPU list/);
  });
});

describe("splitCpus", () => {
  it("gives the servers the last CPU and the load generator the rest", () => {
    expect(splitCpus([0, 1])).toEqual({ servers: [1], load: [0] });
    expect(splitCpus([3, 0, 2, 1])).toEqual({ servers: [3], load: [0, 1, 2] });
    expect(splitCpus([2, 5])).toEqual({ servers: [5], load: [2] });
  });

  it("says why it cannot split one CPU, or none", () => {
    expect(splitCpus([0])).toEqual({ reason: "1 CPU allowed: no second CPU for the load generator" });
    expect(splitCpus([4, 4])).toEqual({ reason: "1 CPU allowed: no second CPU for the load generator" });
    expect(splitCpus([])).toEqual({ reason: "0 CPUs allowed: no second CPU for the load generator" });
  });
});

describe("createPinning", () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill("SIGKILL");
    child = undefined;
  });

  it("falls back to method none, with the reason, on one CPU", () => {
    const pinning = createPinning({ allowed: "0" });
    expect(pinning.method).toBe("none");
    expect(pinning.reason).toBe("1 CPU allowed: no second CPU for the load generator");
    expect(pinning.servers).toEqual([]);
  });

  it("falls back to method none, with the reason, without taskset", () => {
    const pinning = createPinning({ allowed: "0-1", taskset: "/nonexistent/taskset" });
    expect(pinning.method).toBe("none");
    expect(pinning.reason).toMatch(/^taskset does not run \(\/nonexistent\/taskset\)/);
  });

  it("pins every thread of a running process to the servers' CPU and gives them back", async () => {
    const pinning = createPinning();
    if (availableParallelism() < 2) {
      // A one-CPU machine: the fallback is what there is to check.
      expect(pinning.method).toBe("none");
      return;
    }
    expect(pinning.method).toBe("taskset");
    // A Node process has several threads (V8's platform workers, libuv's) from the start.
    const c = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
    child = c;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const pid = c.pid ?? 0;
    expect(pinning.threadsOutside(pid, pinning.servers)).toBeGreaterThan(0);
    try {
      pinning.pinServers([pid]);
      expect(pinning.threadsOutside(pid, pinning.servers)).toBe(0);
      pinning.pinLoad([pid]);
      expect(pinning.threadsOutside(pid, pinning.load)).toBe(0);
      expect(pinning.threadsOutside(pid, pinning.servers)).toBeGreaterThan(0);
    } finally {
      pinning.dispose();
    }
    // Back on every CPU: no longer confined to the load generator's.
    expect(pinning.threadsOutside(pid, pinning.load)).toBeGreaterThan(0);
  });
});
