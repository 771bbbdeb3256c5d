/**
 * `npm run demo` as a user runs it: real processes (the demo script, its
 * nats-server and gateway, the CLI chat example), a temp state dir and a free
 * port. Needs the built packages (`npm test` builds them before vitest); the
 * demo runs with --no-build so this test never rebuilds them.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@parley/sdk";
import type { WidgetConfig } from "@parley/sdk/protocol";
import { signCustomerToken } from "@parley/sdk/server";
import { artifactPath, chatFrame, launchChromium, logIn } from "@parley/widget/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { alive, type DemoRun, type ReadyInfo, ROOT, requireBuild, startDemo } from "./harness/demo.js";
import { waitFor } from "./helpers.js";

const CHAT = join(ROOT, "examples/cli-chat/chat.mjs");

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with `input` on stdin (then closed). */
function run(args: string[], input: string, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** Resolves once the WebSocket endpoint speaks NATS (its first frame is INFO). */
function natsWsGreets(url: string, origin: string): Promise<string> {
  return new Promise((resolveGreeting, reject) => {
    const socket = new WebSocket(url, { origin });
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no NATS greeting from ${url}`));
    }, 5_000);
    socket.once("message", (data: Buffer) => {
      clearTimeout(timer);
      socket.close();
      resolveGreeting(data.toString().slice(0, 4));
    });
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe("npm run demo", () => {
  let dir: string;
  let demo: DemoRun | undefined;
  let info: ReadyInfo;

  beforeAll(async () => {
    requireBuild();
    dir = await mkdtemp(join(tmpdir(), "parley-demo-test-"));
    demo = await startDemo(dir);
    info = demo.info;
  }, 90_000);

  afterAll(async () => {
    demo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("prints the storefront, gateway, health and NATS WebSocket URLs, and each one answers", async () => {
    const output = demo?.output() ?? "";
    const printed = [...new Set(output.match(/\b(?:https?|wss?):\/\/[^\s)]+/g) ?? [])].sort();
    expect(printed).toEqual(
      [info.storefrontUrl, info.dashboardUrl, info.gatewayUrl, info.healthUrl, info.natsWsUrl].sort(),
    );
    // The dashboard is on its own origin, points at this gateway and may connect only there.
    const dashboard = await fetch(`${info.dashboardUrl}/`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toContain(`content="${info.gatewayUrl}"`);
    expect(dashboard.headers.get("content-security-policy")).toContain(`connect-src ${info.gatewayUrl}`);
    // The storefront is on its own origin and carries the snippet pointing at this gateway, which serves it.
    const page = await fetch(`${info.storefrontUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`${info.gatewayUrl}/widget/parley.js`);
    expect(new URL(info.storefrontUrl).origin).not.toBe(new URL(info.gatewayUrl).origin);
    const launcher = await fetch(`${info.gatewayUrl}/widget/parley.js`);
    expect(launcher.status).toBe(200);
    // The bot is up and the demo's admin device made the shop's team key.
    expect(output).toContain("@demo_bot");
    expect(output).toContain(info.agentLogin);
    expect(output).toContain(info.agentPassword);
    expect(output).toContain(info.shopId);
    expect(output).toContain("--as customer --name Mia");
    expect(output).toContain("--as agent");

    const health = await fetch(info.healthUrl);
    expect(health.status).toBe(200);
    const ready = await fetch(`${info.gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);
    // The gateway's own origin is allowed on the NATS WebSocket listener (the widget frame lives there).
    expect(await natsWsGreets(info.natsWsUrl, info.gatewayUrl)).toBe("INFO");
  });

  it("offers its synthesized playlist as the demo shop's media, served by the storefront and allowed by the frame's CSP", async () => {
    const config = (await (await fetch(`${info.gatewayUrl}/widget/config/${info.shopId}`)).json()) as WidgetConfig;
    expect(config.mapTiles).toBeUndefined();
    expect(config.media?.origins).toEqual([info.storefrontUrl]);
    expect(config.media?.catalog.map((t) => [t.title, t.artist])).toEqual([
      ["Morning Walk", "Parley demo band"],
      ["Harbour Lights", "Parley demo band"],
      ["Little Waltz", "Parley demo band"],
    ]);
    for (const track of config.media?.catalog ?? []) {
      const res = await fetch(track.url, { headers: { range: "bytes=0-43" } });
      expect([track.id, res.status, res.headers.get("content-type")]).toEqual([track.id, 206, "audio/wav"]);
      const header = Buffer.from(await res.arrayBuffer());
      // The data chunk's size is the exact length the catalog states: 22,050 samples of 2 bytes a second.
      expect(header.readUInt32LE(40)).toBe((track.durationMs * 44_100) / 1000);
    }
    const frame = await fetch(
      `${info.gatewayUrl}/widget/frame/?shop=${info.shopId}&origin=${encodeURIComponent(info.storefrontUrl)}`,
    );
    expect(frame.headers.get("content-security-policy")).toContain(`media-src ${info.storefrontUrl};`);
    expect(demo?.output()).toContain("Morning Walk, Harbour Lights, Little Waltz");
  });

  it("seeds Mia, Noah and Leo with handles and a second agent, so an @invite can be tried at once", async () => {
    expect(info.customers.map((c) => c.handle)).toEqual(["mia", "noah", "leo"]);
    const { shopTokenSecret } = JSON.parse(await readFile(join(info.stateDir, "secrets.json"), "utf8")) as {
      shopTokenSecret: string;
    };
    const { shopperId } = (await import(join(ROOT, "examples/shop-backend/server.mjs"))) as {
      shopperId: (name: string) => string;
    };
    // Signed in the way the storefront signs a shopper in who logs in as "Noah".
    const noah = createClient({
      gatewayUrl: info.gatewayUrl,
      auth: {
        kind: "customer",
        shopId: info.shopId,
        getToken: () =>
          signCustomerToken({
            shopId: info.shopId,
            key: { alg: "HS256", secret: shopTokenSecret },
            customer: { id: shopperId("Noah"), name: "Noah" },
          }),
      },
      WebSocket: WebSocket as never,
      origin: info.gatewayUrl,
      encryption: false,
    });
    const sam = createClient({
      gatewayUrl: info.gatewayUrl,
      auth: { kind: "agent", shopId: info.shopId, login: info.colleagueLogin, password: info.colleaguePassword },
      WebSocket: WebSocket as never,
      origin: info.gatewayUrl,
      encryption: false,
    });
    try {
      expect((await noah.connect()).handle).toBe("noah");
      expect(await sam.connect()).toMatchObject({ kind: "agent", handle: info.colleagueHandle });
    } finally {
      await noah.close();
      await sam.close();
    }
  });

  it("lets a CLI customer write and a CLI agent read it", async () => {
    const config = join(info.stateDir, "demo.json");
    const customer = await run(
      [CHAT, "--as", "customer", "--name", "Mia", "--config", config],
      "hello from the demo test\n",
    );
    expect(customer, customer.stderr).toMatchObject({ code: 0 });
    const saved = JSON.parse(await readFile(join(info.stateDir, "cli-mia.json"), "utf8")) as { convId: string };

    const agent = await run([CHAT, "--as", "agent", "--config", config, "--print-history-and-exit"], "");
    expect(agent, agent.stderr).toMatchObject({ code: 0 });
    expect(agent.stdout).toContain(`[${saved.convId}] Mia: hello from the demo test`);

    // The agent answers the most recent conversation; the customer resumes it and sees the reply.
    const reply = await run([CHAT, "--as", "agent", "--config", config], "hi Mia, how can I help?\n");
    expect(reply, reply.stderr).toMatchObject({ code: 0 });
    const history = await run(
      [CHAT, "--as", "customer", "--name", "Mia", "--config", config, "--print-history-and-exit"],
      "",
    );
    expect(history.stdout).toContain("you: hello from the demo test");
    expect(history.stdout).toMatch(/: hi Mia, how can I help\?/);
  });

  it("has the bot bring the lunch menu when asked, and the terminal prints it with prices", async () => {
    const config = join(info.stateDir, "demo.json");
    const asked = await run([CHAT, "--as", "customer", "--name", "Ada", "--config", config], "menu please\n");
    expect(asked, asked.stderr).toMatchObject({ code: 0 });
    // The bot answers within moments; the customer's next run prints its line and the menu card.
    const printed = await waitFor(
      async () => {
        const history = await run(
          [CHAT, "--as", "customer", "--name", "Ada", "--config", config, "--locale", "en", "--print-history-and-exit"],
          "",
        );
        return history.stdout.includes("[menu] Acme Café lunch") && history.stdout;
      },
      "the bot's menu card",
      30_000,
    );
    expect(printed).toContain("Here's our lunch menu.");
    expect(printed).toContain("    Margherita: €8.90 (+ Extra cheese €1.50, Gluten-free base €2.00)");
    // The banner says how to try it with two people, and the storefront page points to it.
    expect(demo?.output()).toContain('Mia asks for the menu ("menu")');
    const page = await (await fetch(info.storefrontUrl)).text();
    expect(page).toContain("ask the chat for the menu");
  });

  it("shows a shopper's chat history on a second browser profile (key backup)", async () => {
    const texts = ["Hi, is the Ethiopia Guji back in stock?", "I'd like two bags"];
    const open = async () => {
      const browser = await launchChromium();
      const page = await browser.newPage();
      await logIn(page, info.storefrontUrl, "Elif");
      await page.hover("parley-launcher");
      const frame = await chatFrame(page);
      await page.click("parley-launcher");
      await frame.waitForSelector("#parley-root[data-state=connected]");
      return { browser, page, frame };
    };
    const first = await open();
    const second = await open().catch(async (err) => {
      await first.browser.close();
      throw err;
    });
    try {
      const composer = first.frame.getByRole("textbox").first();
      for (const text of texts) {
        await composer.fill(text);
        await composer.press("Enter");
        await first.frame.getByText(text).waitFor();
      }
      // The second profile lists the backup once per session: until the first profile's put has
      // landed it shows the notice, so it loads the page again until the history is there.
      await waitFor(
        async () => {
          await second.page.reload();
          await second.page.hover("parley-launcher");
          const frame = await chatFrame(second.page);
          await second.page.click("parley-launcher");
          const shown = frame.getByText(texts[1] as string).or(frame.locator("parley-history-notice"));
          await shown.first().waitFor();
          if ((await frame.locator("parley-history-notice").count()) > 0) return false;
          for (const text of texts) await frame.getByText(text).waitFor();
          await second.page.screenshot({ path: artifactPath("demo-history-second-profile.png") });
          return true;
        },
        "the second profile to show the history",
        60_000,
      );
    } finally {
      await first.browser.close();
      await second.browser.close();
    }
  }, 120_000);

  it("stops on SIGINT with exit code 0 and leaves no server behind", async () => {
    const children = Object.entries(info.pids).filter(([name]) => name !== "demo");
    expect(children.map(([name]) => name).sort()).toEqual(["bot", "gateway", "nats", "storefront"]);
    for (const [name, pid] of children) expect(alive(pid), name).toBe(true);
    demo?.kill("SIGINT");
    expect(await demo?.exit).toEqual({ code: 0, signal: null });
    for (const [name, pid] of children) expect(alive(pid), name).toBe(false);
    expect(existsSync(join(info.stateDir, "demo.json"))).toBe(false);
  }, 30_000);
});

describe("npm run demo when a server dies", () => {
  let dir: string;
  let demo: DemoRun | undefined;

  afterAll(async () => {
    demo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("stops the other server and exits 1 with the dead one's last log lines", async () => {
    requireBuild();
    dir = await mkdtemp(join(tmpdir(), "parley-demo-test-"));
    demo = await startDemo(dir);
    const { pids } = demo.info;
    process.kill(pids.gateway, "SIGKILL");
    expect(await demo.exit).toEqual({ code: 1, signal: null });
    expect(demo.output()).toContain("gateway stopped unexpectedly");
    expect(demo.output()).toContain("gateway started");
    expect(alive(pids.nats)).toBe(false);
  }, 90_000);
});
