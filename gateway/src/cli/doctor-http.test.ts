/**
 * doctor's TLS check against a real TLS server (node:https) with certificates
 * made by openssl: a self-signed one is untrusted, one for another name fails
 * the hostname, one that expires tomorrow fails the days-left margin. Each
 * failure carries its fix.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkTls, clockFinding, type Finding } from "./doctor-http.js";

const run = promisify(execFile);

async function tlsServer(dir: string, name: string, days: number): Promise<Server> {
  const key = join(dir, `${name}-${days}.key`);
  const cert = join(dir, `${name}-${days}.crt`);
  await run("openssl", [
    ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", key, "-out", cert, "-days", String(days), "-subj", `/CN=${name}`],
    ...["-addext", `subjectAltName=DNS:${name}`],
  ]);
  const server = createServer({ key: await readFile(key), cert: await readFile(cert) }, (_req, res) => res.end("ok"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function findings(urls: string[], daysLeft = 14): Promise<Finding[]> {
  const out: Finding[] = [];
  await checkTls(urls, daysLeft, (f) => out.push(f));
  return out;
}

describe("doctor's TLS check", () => {
  let dir: string;
  let localhost: Server;
  let shortLived: Server;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-doctor-tls-"));
    localhost = await tlsServer(dir, "localhost", 365);
    shortLived = await tlsServer(dir, "localhost", 1);
  });

  afterAll(async () => {
    localhost?.close();
    shortLived?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("skips when no URL is https:// or wss://", async () => {
    const [only, ...rest] = await findings(["http://127.0.0.1:8080", "ws://127.0.0.1:8443"]);
    expect(rest).toEqual([]);
    expect(only?.status).toBe("SKIP");
  });

  it("fails a self-signed certificate as untrusted, and a certificate for another name on the hostname", async () => {
    const port = portOf(localhost);
    const [selfSigned] = await findings([`https://localhost:${port}`]);
    expect(selfSigned?.status).toBe("FAIL");
    expect(selfSigned?.detail).toContain("not trusted");
    expect(selfSigned?.detail).not.toContain("does not match");
    expect(selfSigned?.fix).toContain("install a certificate for localhost");

    const [otherName] = await findings([`wss://127.0.0.1:${port}`]);
    expect(otherName?.status).toBe("FAIL");
    expect(otherName?.detail).toMatch(/IP: 127\.0\.0\.1 is not in the cert's list/);
  });

  it("fails a certificate that expires within the margin, and names each host:port once", async () => {
    const port = portOf(shortLived);
    const found = await findings([`https://localhost:${port}`, `wss://localhost:${port}/ws`], 14);
    expect(found).toHaveLength(1);
    expect(found[0]?.detail).toMatch(/expires \d{4}-\d\d-\d\dT.*, in less than 14 days/);
    const relaxed = await findings([`https://localhost:${port}`], 0);
    expect(relaxed[0]?.detail).not.toContain("expires");
  });

  it("fails a closed port with the fix to start the proxy", async () => {
    const closed = await tlsServer(dir, "localhost", 30);
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const [down] = await findings([`https://localhost:${port}`]);
    expect(down?.status).toBe("FAIL");
    expect(down?.detail).toContain("ECONNREFUSED");
  });

  it("judges clock skew against the limit in either direction", () => {
    expect(clockFinding("gateway clock", "the gateway", 40, 1000).status).toBe("OK");
    const behind = clockFinding("nats clock", "nats-server", -2500, 1000);
    expect(behind.status).toBe("FAIL");
    expect(behind.detail).toBe("nats-server is 2500 ms behind this machine (more than 1000 ms)");
    expect(behind.fix).toContain("NTP");
  });
});
