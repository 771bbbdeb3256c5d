// The dashboard's static server (serve.ts) on a real loopback port: its CSP, the settings written into the
// page (escaped), and that nothing outside the built directory or of another type is served.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardCsp, startDashboard } from "../serve.js";

describe("startDashboard", () => {
  let dir: string;
  let outside: string;

  beforeAll(async () => {
    outside = await mkdtemp(join(tmpdir(), "parley-dash-"));
    dir = join(outside, "dist");
    await mkdir(dir);
    await writeFile(
      join(dir, "index.html"),
      '<meta name="parley-gateway" content="">\n<meta name="parley-shop" content="">\n<meta name="parley-canned-replies" content="">\n',
    );
    await writeFile(join(dir, "dashboard.js"), "export {};\n");
    await writeFile(join(dir, "notes.map"), "{}");
    await writeFile(join(outside, "secret.js"), "secret");
  });
  afterAll(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  it("serves the page with a strict CSP naming only the gateway and its NATS WebSocket, settings escaped", async () => {
    const server = await startDashboard({
      port: 0,
      gatewayUrl: "http://127.0.0.1:4100/some/path",
      shopId: 'shop"><script>alert(1)</script>',
      natsWsUrl: "ws://127.0.0.1:4101/",
      cannedReplies: ["Hi <there> & welcome"],
      distDir: dir,
    });
    try {
      const res = await fetch(`${server.url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toBe(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
          "connect-src http://127.0.0.1:4100 ws://127.0.0.1:4101; img-src 'self' blob: data:; font-src 'self'; " +
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const page = await res.text();
      expect(page).toContain('name="parley-gateway" content="http://127.0.0.1:4100"');
      expect(page).toContain('content="shop&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(page).not.toContain("<script>");
      expect(page).toContain('content="[&quot;Hi &lt;there&gt; &amp; welcome&quot;]"');
      expect((await fetch(`${server.url}/dashboard.js`)).headers.get("content-type")).toContain("text/javascript");
    } finally {
      await server.close();
    }
  });

  it("answers 404 outside the built directory or for other file types, 405 for other methods", async () => {
    const server = await startDashboard({ port: 0, gatewayUrl: "http://127.0.0.1:4100", shopId: "s", distDir: dir });
    try {
      for (const path of ["/../secret.js", "/%2e%2e/secret.js", "/..%2fsecret.js", "/notes.map", "/%E0%A4%A"]) {
        expect([path, (await fetch(`${server.url}${path}`)).status]).toEqual([path, 404]);
      }
      expect((await fetch(`${server.url}/`, { method: "POST" })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it("without the NATS URL, allows WebSockets to the gateway's host only; refuses non-web gateway URLs", () => {
    expect(dashboardCsp("https://chat.example.com", [])).toContain(
      "connect-src https://chat.example.com ws://chat.example.com:* wss://chat.example.com:*;",
    );
    expect(() => dashboardCsp("javascript:alert(1)", [])).toThrow(TypeError);
    expect(() => dashboardCsp("https://chat.example.com", ["file:///etc/passwd"])).toThrow(TypeError);
  });
});
