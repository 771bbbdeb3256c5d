// The harness itself: Debian's Chromium starts, renders a page from the static
// server on its own origin, runs its script, and reports page errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, launchChromium, type StaticServer, serveStatic } from "./browser.js";

describe("browser harness", () => {
  let browser: BrowserSession;
  let site: StaticServer;
  beforeAll(async () => {
    browser = await launchChromium();
    site = await serveStatic({
      routes: {
        "/": { body: '<!doctype html><title>t</title><p id="p">static</p><script src="/a.js"></script>' },
        "/a.js": { body: 'document.getElementById("p").textContent = "ran " + (1 + 1); throw new Error("boom");' },
      },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it("renders a page, runs its script and collects its errors", async () => {
    const page = await browser.newPage();
    await page.goto(`${site.url}/`);
    await expect.poll(() => page.textContent("#p")).toBe("ran 2");
    expect(site.requests.slice(0, 2)).toEqual(["/", "/a.js"]);
    await expect.poll(() => browser.errors.some((e) => e.includes("boom"))).toBe(true);
  });

  it("answers 404 for paths outside its routes", async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${site.url}/../../etc/passwd`);
    expect(response?.status()).toBe(404);
  });
});
