// The shop the dashboard's browser tests run against: nats-server and a
// gateway that serves the widget's frame, the example shop backend (the
// storefront) on its own origin, and the dashboard served on a third origin,
// all on loopback. The widget and the dashboard are built first when needed.

import { freePorts, SHOP_ID, SHOP_SECRET, startStack, type TestStack } from "@parley/gateway/testing";
import { ensureWidgetBuilt } from "@parley/widget/testing";
// @ts-expect-error: the example is plain JavaScript (no declarations)
import { startShopBackend } from "../../shop-backend/server.mjs";
// @ts-expect-error: the build script is plain JavaScript (no declarations)
import { buildDashboard } from "../build.mjs";
import { type DashboardServer, startDashboard } from "../serve.js";

export interface DashboardShop {
  stack: TestStack;
  backend: { url: string; close(): Promise<void> };
  dashboard: DashboardServer;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface DashboardShopOptions {
  /** Further origins the shop allows besides the storefront's and the dashboard's. */
  extraOrigins?: string[];
  cannedReplies?: string[];
  /** The chat service's clock (see the stack harness's `now`), for tests that store messages in the past. */
  now?: () => number;
  /** NATS JWT and API token lifetime, seconds (the stack harness's `jwtTtl`). @default 600 */
  jwtTtl?: number;
  /** More gateway environment variables (the stack harness's `env`). @default {} */
  env?: Record<string, string>;
}

/**
 * Starts the shop. The dashboard's port is chosen before the stack starts (its origin is in the stack's
 * configuration) and bound after it, so another server can take it in between: then everything is
 * started again on a new port (freePorts' rule: callers retry on "address in use").
 */
export async function startDashboardShop(options: DashboardShopOptions = {}): Promise<DashboardShop> {
  ensureWidgetBuilt();
  await buildDashboard();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 3) throw err;
    }
  }
}

async function startOnce(options: DashboardShopOptions): Promise<DashboardShop> {
  const [port] = await freePorts(1);
  const dashOrigin = `http://127.0.0.1:${port}`;
  const stack = await startStack({
    servesFrame: true,
    browserOrigins: [dashOrigin],
    ...(options.now ? { now: options.now } : {}),
    ...(options.jwtTtl ? { jwtTtl: options.jwtTtl } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const backend: DashboardShop["backend"] = await startShopBackend({
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    key: { alg: "HS256", secret: SHOP_SECRET },
  });
  await stack.gateway.admin.putShop(SHOP_ID, {
    name: "Test Shop",
    tokenKey: { alg: "HS256", secret: SHOP_SECRET },
    allowedOrigins: [...(options.extraOrigins ?? []), backend.url, dashOrigin],
    allowGuests: true,
  });
  let dashboard: DashboardServer;
  try {
    dashboard = await startDashboard({
      port: port as number,
      gatewayUrl: stack.url,
      shopId: SHOP_ID,
      natsWsUrl: stack.nats.wsUrl,
      ...(options.cannedReplies ? { cannedReplies: options.cannedReplies } : {}),
    });
  } catch (err) {
    await backend.close();
    await stack[Symbol.asyncDispose]();
    throw err;
  }
  return {
    stack,
    backend,
    dashboard,
    async [Symbol.asyncDispose]() {
      await dashboard.close();
      await backend.close();
      await stack[Symbol.asyncDispose]();
    },
  };
}
