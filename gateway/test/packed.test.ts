/**
 * The packages as a developer gets them (issue 19, items 1 and 2): `npm pack`
 * of the SDK, the widget and `@parley/react`; scratch projects in a temp dir
 * outside the repository install the tarballs with `npm install` (their own
 * package.json, exact-pinned Vite/TypeScript/React, no workspace links),
 * type-check against the packed declarations, build with Vite, are served on
 * a real port and chat end to end in Chromium with the bot of `npm run demo`.
 * A Node bot installed from the SDK's tarball answers a customer, on native
 * libsodium and again with `sodium-native` removed (the wasm fallback).
 * Needs the built packages and the npm registry (or a warm npm cache).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type ParleyClient } from "@parley/sdk";
import {
  artifactPath,
  type BrowserSession,
  launchChromium,
  type StaticServer,
  serveStatic,
} from "@parley/widget/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DemoRun, type ReadyInfo, ROOT, requireBuild, startDemo } from "./harness/demo.js";
import { waitFor } from "./helpers.js";
import {
  installScratch,
  lockedVersion,
  packWorkspaces,
  readPackageJson,
  run,
  type Tarballs,
} from "./packed/scratch.js";

const PACKED = ["sdk", "widget", "react"];
const BOT_REPLY = "Here's our lunch menu.";
const tsc = (dir: string) =>
  run(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "--noEmit"], { cwd: dir });
const viteBuild = (dir: string) =>
  run(process.execPath, [join(dir, "node_modules/vite/bin/vite.js"), "build"], { cwd: dir });

/** Every file a package's exports map names for consumers (the `source` condition is the workspace's only). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === "string") return [exports];
  if (!exports || typeof exports !== "object") return [];
  return Object.entries(exports).flatMap(([key, value]) => (key === "source" ? [] : exportTargets(value)));
}

/** The bundle's JavaScript, every file of `dist/assets` joined. */
async function bundleText(dir: string): Promise<string> {
  const assets = join(dir, "dist/assets");
  const files = (await readdir(assets)).filter((f) => f.endsWith(".js"));
  return (await Promise.all(files.map((f) => readFile(join(assets, f), "utf8")))).join("\n");
}

describe("the packed packages, installed as a developer installs them", () => {
  let dir: string;
  let tarballs: Tarballs;
  let demo: DemoRun | undefined;
  let info: ReadyInfo;
  let viteSite: StaticServer | undefined;
  let reactSite: StaticServer | undefined;
  let browser: BrowserSession | undefined;
  let bot: ChildProcess | undefined;
  const customers: ParleyClient[] = [];

  beforeAll(async () => {
    requireBuild();
    if (!existsSync(join(ROOT, "react/dist/index.js"))) throw new Error("react/dist is missing: run npm run build");
    dir = await mkdtemp(join(tmpdir(), "parley-packed-"));
    tarballs = await packWorkspaces(join(dir, "tarballs"), PACKED);
    // The apps' origins must be known to the demo's shop before it starts; their files come later.
    viteSite = await serveStatic({ dir: join(dir, "vite-app/dist") });
    reactSite = await serveStatic({ dir: join(dir, "react-shop/dist") });
    await mkdir(join(dir, "demo"));
    demo = await startDemo(join(dir, "demo"), { origins: [viteSite.url, reactSite.url] });
    info = demo.info;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    bot?.kill("SIGKILL");
    for (const c of customers) await c.close().catch(() => undefined);
    await browser?.close();
    await viteSite?.close();
    await reactSite?.close();
    demo?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("packs each package with every file its exports map names, and nothing from src or test", async () => {
    expect(Object.keys(tarballs).sort()).toEqual(["@parley/react", "@parley/sdk", "@parley/widget"]);
    for (const [name, tarball] of Object.entries(tarballs)) {
      const listing = (await run("tar", ["-tzf", tarball], { cwd: dir })).stdout.split("\n").filter(Boolean);
      const files = new Set(listing.map((f) => f.replace(/^package\//, "./")));
      const pkg = JSON.parse(await readFile(join(ROOT, name.replace("@parley/", ""), "package.json"), "utf8"));
      const missing = exportTargets(pkg.exports).filter((target) => !files.has(target));
      expect({ name, missing }).toEqual({ name, missing: [] });
      expect({ name, stray: [...files].filter((f) => /^\.\/(src|test|scripts)\//.test(f)) }).toEqual({
        name,
        stray: [],
      });
    }
  });

  /** Opens an app's page for the demo shop, asks the chat for the menu and waits for the bot's decrypted answer. */
  async function chatWithTheBot(site: StaticServer, screenshot: string) {
    const page = await browser?.newPage();
    if (!page) throw new Error("no browser");
    const errors: string[] = [];
    const consoleLines: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));
    page.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
    await page.goto(`${site.url}/?gateway=${encodeURIComponent(info.gatewayUrl)}&shop=${info.shopId}`);
    // Typed at once, while the chat may still be connecting: the composer hands the message on.
    const composer = page.locator("parley-composer").getByRole("textbox");
    await composer.fill("menu please");
    await composer.press("Enter");
    await page.getByText("menu please").first().waitFor();
    try {
      await page.getByText(BOT_REPLY).first().waitFor({ timeout: 60_000 });
      // The menu card's renderer is a chunk of its own in the widget's dist, loaded when a card arrives.
      await page.getByText("Margherita").first().waitFor();
    } catch (err) {
      await page.screenshot({ path: artifactPath(`failed-${screenshot}`) });
      const botLog = await readFile(join(info.stateDir, "logs/bot.log"), "utf8").catch(() => "(no bot log)");
      const gatewayLog = await readFile(join(info.stateDir, "logs/gateway.log"), "utf8").catch(() => "(no log)");
      // Why a message shows "Not sent": the pending entries' errors, from the client the chat holds.
      const pending = await page.evaluate(async () => {
        const client = document.querySelector("parley-chat")?.client;
        if (!client) return "no client";
        const convs = await client.listConversations();
        return JSON.stringify(convs.map((c) => client.conversation(c.id).value.pending));
      });
      consoleLines.push(`pending: ${pending}`, `gateway log:\n${gatewayLog.slice(-4000)}`);
      throw new Error(
        `${(err as Error).message}\nconsole:\n${consoleLines.join("\n")}\nbot log:\n${botLog.slice(-3000)}`,
      );
    }
    await page.screenshot({ path: artifactPath(screenshot) });
    expect(errors).toEqual([]);
    return page;
  }

  it("a plain Vite app type-checks against the packed types, builds, and chats with the demo's bot in Chromium", async () => {
    const app = join(dir, "vite-app");
    await installScratch(
      app,
      {
        copy: [{ from: join(ROOT, "gateway/test/packed/vite-app"), to: "." }],
        packageJson: {
          name: "parley-scratch-vite",
          private: true,
          type: "module",
          dependencies: { "@parley/sdk": "0.1.0", "@parley/widget": "0.1.0" },
          devDependencies: { typescript: await lockedVersion("typescript"), vite: await lockedVersion("vite") },
        },
      },
      tarballs,
    );
    // Installed from the tarballs, not linked to the workspace.
    for (const name of ["@parley/sdk", "@parley/widget"]) {
      expect(existsSync(join(app, "node_modules", name, "package.json"))).toBe(true);
      expect(existsSync(join(app, "node_modules", name, "src"))).toBe(false);
    }
    await tsc(app);
    await viteBuild(app);
    // The browser bundle never carries Node's native libsodium (the SDK's `browser` field).
    expect(await bundleText(app)).not.toContain("sodium-native");
    if (!viteSite) throw new Error("no site");
    const page = await chatWithTheBot(viteSite, "packed-vite-app.png");
    await page.close();
  }, 900_000);

  it("the React example builds from the packed @parley/react and chats with the demo's bot, in English and German", async () => {
    const app = join(dir, "react-shop");
    await installScratch(
      app,
      {
        copy: [{ from: join(ROOT, "examples/react-shop"), to: "." }],
        packageJson: await readPackageJson(join(ROOT, "examples/react-shop/package.json")),
      },
      tarballs,
    );
    expect(existsSync(join(app, "node_modules/@parley/react/src"))).toBe(false);
    await tsc(app);
    await viteBuild(app);
    if (!reactSite) throw new Error("no site");
    // useParley follows the client's status store: the header says the chat is online.
    const page = await chatWithTheBot(reactSite, "packed-react-shop.png");
    await page.locator(".status[data-state=connected]").waitFor();
    expect(await page.locator(".status").textContent()).toBe("online");
    await page.close();

    const de = await browser?.newPage();
    if (!de) throw new Error("no browser");
    await de.goto(`${reactSite.url}/?gateway=${encodeURIComponent(info.gatewayUrl)}&shop=${info.shopId}&locale=de`);
    await de.getByRole("button", { name: "Schreiben Sie uns" }).waitFor();
    await de.locator(".status[data-state=connected]").waitFor();
    // The chat's own strings follow the locale the React prop hands the element.
    await de.locator("parley-composer").getByRole("textbox", { name: "Nachricht schreiben" }).waitFor();
    await de.screenshot({ path: artifactPath("packed-react-shop-de.png") });
    await de.close();
  }, 900_000);

  it("a Node bot installed from the SDK's tarball answers a customer on native libsodium, and on wasm without it", async () => {
    const app = join(dir, "node-bot");
    await installScratch(
      app,
      {
        copy: [{ from: join(ROOT, "gateway/test/packed/node-bot/bot.mjs"), to: "bot.mjs" }],
        packageJson: {
          name: "parley-scratch-bot",
          private: true,
          type: "module",
          dependencies: { "@parley/sdk": "0.1.0", ws: await lockedVersion("ws") },
        },
      },
      tarballs,
    );
    const { adminToken } = JSON.parse(await readFile(join(info.stateDir, "secrets.json"), "utf8")) as {
      adminToken: string;
    };
    const login = { login: "packed-bot@demo.shop", password: "packed bot password 0123" };
    const added = await fetch(`${info.gatewayUrl}/v1/admin/shops/${info.shopId}/agents`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ ...login, displayName: "Packed Bot", role: "agent", kind: "bot" }),
    });
    expect(added.status).toBe(200);

    const startBot = async () => {
      const lines: Array<Record<string, unknown>> = [];
      let output = "";
      const child = spawn(process.execPath, ["bot.mjs"], {
        cwd: app,
        env: {
          ...process.env,
          PARLEY_GATEWAY: info.gatewayUrl,
          PARLEY_SHOP: info.shopId,
          PARLEY_BOT_LOGIN: login.login,
          PARLEY_BOT_PASSWORD: login.password,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      bot = child;
      child.stdout.on("data", (c: Buffer) => {
        output += c.toString();
        const done = output.split("\n");
        output = done.pop() ?? "";
        for (const line of done) lines.push(JSON.parse(line) as Record<string, unknown>);
      });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      const ready = await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`the bot exited ${child.exitCode}:\n${stderr}`);
        return lines.find((l) => l.ready);
      }, "the packed bot to be ready");
      return { child, lines, backend: ready.backend, stderr: () => stderr };
    };
    /** A guest writes `text` in a conversation of their own and waits for the answer that contains `expected`. */
    const customerAsks = async (text: string, expected: string) => {
      const customer = createClient({
        gatewayUrl: info.gatewayUrl,
        auth: { kind: "guest", shopId: info.shopId, displayName: "Node shopper" },
        WebSocket: WebSocket as never,
        origin: info.gatewayUrl,
        encryption: true,
      });
      customers.push(customer);
      const heard: string[] = [];
      customer.on("message", ({ message }) => {
        if (message.body?.type === "text") heard.push(message.body.text);
      });
      await customer.connect();
      const conv = await customer.openConversation();
      await customer.send(conv.id, text);
      return waitFor(() => heard.find((t) => t === expected), `the bot's answer "${expected}"`, 30_000);
    };

    const native = await startBot();
    expect(native.backend).toBe("native");
    expect(await customerAsks("ping native", "pong native")).toBe("pong native");
    expect(native.lines).toContainEqual({ heard: "ping native" });
    native.child.kill("SIGTERM");
    await new Promise((r) => native.child.once("exit", r));

    // An install where the optional native addon is absent (no build for the platform, or --omit=optional).
    await rm(join(app, "node_modules/sodium-native"), { recursive: true, force: true });
    const wasm = await startBot();
    expect(wasm.backend).toBe("wasm");
    expect(await customerAsks("ping wasm", "pong wasm")).toBe("pong wasm");
    // The bot prints `sent` once its send is acknowledged, which can be after the customer has the answer.
    await waitFor(() => wasm.lines.some((l) => l.sent === "pong wasm"), "the bot's acknowledged send");
    expect(wasm.stderr()).toBe("");
  }, 900_000);
});
