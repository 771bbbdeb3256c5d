/**
 * TURN works with the credentials the gateway mints: a real coturn on
 * loopback (harness/coturn.ts, `--use-auth-secret`), a real gateway whose
 * `call.ice` hands out its URLs with a credential per caller, and real
 * Chromium with fake camera and microphone running two peer connections
 * forced through TURN (`iceTransportPolicy: "relay"`, turn-relay.page.ts).
 * With a fresh credential both sides connect over a relay pair and media
 * flows both ways; with one that expired, or one minted under another
 * secret, coturn refuses the allocation and no relay candidate exists.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IceServer } from "@parley/sdk/protocol";
import { CHROMIUM_ARGS, MEDIA_ARGS, type StaticServer, serveStatic } from "@parley/widget/testing";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureChromium } from "../../scripts/lib/chromium.mjs";
import { type CoturnHarness, startCoturn } from "./harness/coturn.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";
import { type RelayStats, relayCall, relayHangUp, relayStats } from "./turn-relay.page.js";

/** The project's Chromium flags plus fake media devices. */
const ARGS = [...CHROMIUM_ARGS, ...MEDIA_ARGS];

/** Long enough for a relay call on a loaded machine; a refused credential never connects, however long. */
const CONNECT_DEADLINE_MS = 20_000;

/** The TURN username of a `call.ice` answer. */
function usernameOf(iceServers: IceServer[]): string {
  const username = iceServers.find((s) => s.username)?.username;
  if (!username) throw new Error("no TURN server in the answer");
  return username;
}

/** The `call.ice` answer a fresh customer of `stack` gets. */
async function iceFrom(stack: TestStack, sub: string): Promise<{ iceServers: IceServer[]; expiresAt: number }> {
  const client = stack.customer(sub);
  await client.connect();
  try {
    return await client.request("call.ice", {});
  } finally {
    await client.close();
  }
}

describe("a call relayed by coturn with gateway-minted credentials", () => {
  let turn: CoturnHarness;
  let site: StaticServer;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    turn = await startCoturn();
    site = await serveStatic({ routes: { "/": { body: "<!doctype html><title>relay</title>" } } });
    const { bin } = await ensureChromium();
    profile = await mkdtemp(join(tmpdir(), "parley-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: bin,
      headless: true,
      args: ARGS,
    });
  });
  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await site?.close();
    await turn?.stop();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  const openPage = async (): Promise<Page> => {
    const page = await context.newPage();
    await page.goto(site.url);
    return page;
  };

  it("connects over a relay pair and carries audio and video both ways", async () => {
    await using stack = await startStack({
      env: { PARLEY_TURN_URLS: turn.turnUrls.join(","), PARLEY_TURN_SECRET: turn.secret },
    });
    const { iceServers } = await iceFrom(stack, "alice");
    const later = await expectRelayed(await openPage(), iceServers, "udp");
    // coturn's own count, once the allocations close: between the two relay addresses it carried at least
    // what both browsers had sent when last asked (the browsers' byte counts and coturn's differ by framing).
    const username = usernameOf(iceServers);
    const sent = later.reduce((sum, side) => sum + side.bytesSent, 0);
    expect(sent).toBeGreaterThan(0);
    const relayed = await waitFor(
      () => {
        const mine = turn.usage().filter((u) => u.side === "peer" && u.username === username);
        const bytes = mine.reduce((sum, u) => sum + u.bytesReceived, 0);
        return bytes >= 0.9 * sent
          ? { allocations: mine.length, bytes, packets: mine.reduce((n, u) => n + u.packetsReceived, 0) }
          : undefined;
      },
      "coturn to log that it relayed the call",
      30_000,
    );
    console.log("coturn peer usage:", JSON.stringify({ sent, ...relayed }));
  });

  it("relays over TURN/TCP when the gateway hands out only its TCP URL (networks that block UDP)", async () => {
    const tcpUrl = turn.turnUrls.filter((u) => u.endsWith("?transport=tcp"));
    await using stack = await startStack({ ice: { turn: { urls: tcpUrl, secret: turn.secret } } });
    const { iceServers } = await iceFrom(stack, "dora");
    expect(iceServers.map((s) => s.urls)).toEqual([tcpUrl]);
    await expectRelayed(await openPage(), iceServers, "tcp");
  });

  it("gets no relay candidate with a credential that expired", async () => {
    // The gateway's clock two hours back: it mints credentials that expired an hour ago.
    await using stack = await startStack({
      env: { PARLEY_TURN_URLS: turn.turnUrls.join(","), PARLEY_TURN_SECRET: turn.secret },
      now: () => Date.now() - 2 * 3600_000,
    });
    const { iceServers, expiresAt } = await iceFrom(stack, "bob");
    expect(expiresAt).toBeLessThan(Date.now());
    await expectRefused(await openPage(), iceServers);
    expect(turn.logs()).toContain(`Cannot find credentials of user <${usernameOf(iceServers)}>`);
  });

  it("gets no relay candidate with a credential minted under another secret", async () => {
    await using stack = await startStack({
      env: { PARLEY_TURN_URLS: turn.turnUrls.join(","), PARLEY_TURN_SECRET: `not-${turn.secret}` },
    });
    const { iceServers } = await iceFrom(stack, "carol");
    await expectRefused(await openPage(), iceServers);
    expect(turn.logs()).toContain(`check_stun_auth: Cannot find credentials of user <${usernameOf(iceServers)}>`);
  });
});

/**
 * Runs the relay call with `iceServers` and expects coturn to refuse: gathering ends without a
 * candidate (so nothing can ever connect), Chromium having seen the TURN server answer 401.
 */
async function expectRefused(page: Page, iceServers: IceServer[]): Promise<void> {
  try {
    const outcome = await page.evaluate(relayCall, { iceServers, deadlineMs: CONNECT_DEADLINE_MS });
    console.log("refused call:", JSON.stringify(outcome));
    expect(outcome.gathered).toEqual([[], []]);
    expect(outcome.states).not.toContain("connected");
    expect(outcome.candidateErrors[0].some((e) => e.startsWith("401"))).toBe(true);
  } finally {
    await page.evaluate(relayHangUp).catch(() => undefined);
    await page.close();
  }
}

/**
 * Runs the relay call with `iceServers` and expects both sides connected over a relay pair reached by
 * `protocol`, with video frames, audio and pair bytes growing on both; resolves the last stats read.
 */
async function expectRelayed(page: Page, iceServers: IceServer[], protocol: "udp" | "tcp"): Promise<RelayStats[]> {
  let later: RelayStats[] = [];
  try {
    const outcome = await page.evaluate(relayCall, { iceServers, deadlineMs: CONNECT_DEADLINE_MS });
    console.log(`relay call (${protocol}):`, JSON.stringify(outcome));
    expect(outcome.states).toEqual(["connected", "connected"]);
    expect(outcome.gathered[0].length).toBeGreaterThan(0);
    for (const types of outcome.gathered) expect(new Set(types)).toEqual(new Set(["relay"]));

    const first = await page.evaluate(relayStats);
    for (const side of first) {
      expect(side.localType).toBe("relay");
      expect(side.remoteType).toBe("relay");
      expect(side.localAddress).toBe("127.0.0.1");
      expect(side.relayProtocol).toBe(protocol);
    }
    // Media keeps flowing: every counter grows on both sides.
    later = await waitFor(
      async () => {
        const now = await page.evaluate(relayStats);
        const grew = now.every((side, i) => {
          const before = first[i];
          return (
            before !== undefined &&
            side.bytesReceived > before.bytesReceived &&
            side.framesDecoded > before.framesDecoded &&
            side.audioBytesReceived > before.audioBytesReceived
          );
        });
        return grew && now.every((side) => side.framesDecoded >= 30) ? now : undefined;
      },
      "media to keep flowing through the relay",
      20_000,
    );
    console.log(`relay stats (${protocol}):`, JSON.stringify({ first, later }));
  } finally {
    await page.evaluate(relayHangUp).catch(() => undefined);
    await page.close();
  }
  return later;
}
