import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shop } from "../store/conformance/fixtures.js";
import { openStore } from "../store/index.js";
import type { ShopRecord, Store } from "../store/port.js";
import { GatewayMetrics } from "./metrics.js";
import { timedStore } from "./store-timing.js";

describe("timedStore on the embedded store", () => {
  let dir: string;
  let raw: Store;
  let store: Store;
  const metrics = new GatewayMetrics();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-timed-"));
    raw = await openStore({ dataDir: dir });
    store = timedStore(raw, metrics);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("behaves as the store and times each call by method", async () => {
    expect(store.kind).toBe("embedded");
    await store.putShop(shop("timed"));
    expect((await store.getShop("timed"))?.id).toBe("timed");
    expect(await store.getShop("none")).toBeUndefined();
    const limiter = store.sharedLimiter("timed-test", { points: 1, durationSeconds: 60 });
    expect(await limiter.consume("k")).toBe(0);
    const text = await metrics.scrape();
    expect(text).toMatch(/^parley_store_duration_seconds_count\{operation="putShop",store="embedded"\} 1$/m);
    expect(text).toMatch(/^parley_store_duration_seconds_count\{operation="getShop",store="embedded"\} 2$/m);
    expect(text).not.toContain('operation="sharedLimiter"');
  });

  it("counts a failed call as an error and passes the failure on", async () => {
    const broken = undefined as unknown as ShopRecord;
    await expect((async () => store.putShop(broken))()).rejects.toThrow();
    const text = await metrics.scrape();
    expect(text).toMatch(/^parley_store_errors_total\{operation="putShop",store="embedded"\} 1$/m);
  });
});
