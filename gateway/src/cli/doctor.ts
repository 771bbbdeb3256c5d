/**
 * `parley-gateway doctor`: checks a running deployment from the gateway's own
 * environment (`--env-file` init's gateway.env) and prints one line per check,
 * OK, FAIL or SKIP, and under each failure the fix. Exits 1 when anything
 * failed. Checks: the configuration parses; the NATS auth file is valid and
 * private; NATS answers with the file's credentials (the gateway's and the
 * connection watcher's); the WebSocket lets the gateway's origin (and each
 * `--origin`) in and turns a foreign one away; the gateway is ready; the store
 * takes a write; the clocks of the gateway and of NATS agree with this one;
 * TLS certificates of https:// and wss:// URLs are trusted, current and name
 * their host.
 */
import { readFile, stat } from "node:fs/promises";
import { loadConfig } from "../config.js";
import { type NatsAuth, parseNatsAuth } from "../nats/accounts.js";
import { ADMIN_USAGE, gatewayUrlFromEnv } from "./admin-client.js";
import { type Command, ExitCodes, intOption, parse, positionals } from "./args.js";
import { probeNatsApp, probeNatsClock, probeWebSocket, reason } from "./doctor-checks.js";
import { checkGateway, checkTls, clockFinding, type Finding, type Report } from "./doctor-http.js";

const usage = `Usage: parley-gateway doctor [options]

Checks a running deployment with the gateway's environment and prints what to
fix. Exit code 1 when a check failed.

Options:
  --origin ORIGIN      another origin that must be able to open the WebSocket (the dashboard's); repeatable
  --max-skew-ms N      largest clock difference accepted, ms (default: 1000)
  --days-left N        a certificate expiring sooner than this fails (default: 14)
${ADMIN_USAGE}`;

/** An origin no deployment allows: the WebSocket must turn it away. */
const FOREIGN_ORIGIN = "https://parley-doctor.invalid";

export const doctorCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals: rest } = parse(args, {
      url: { type: "string" },
      "token-file": { type: "string" },
      origin: { type: "string", multiple: true },
      "max-skew-ms": { type: "string" },
      "days-left": { type: "string" },
    });
    if (values.help) {
      process.stdout.write(usage);
      return ExitCodes.ok;
    }
    positionals(rest, []);
    const maxSkewMs = intOption("max-skew-ms", values["max-skew-ms"], 1000, 1, 3_600_000);
    const daysLeft = intOption("days-left", values["days-left"], 14, 0, 3650);
    const env = process.env;
    let token = env.PARLEY_ADMIN_TOKEN;
    if (values["token-file"])
      token = (await readFile(values["token-file"], "utf8").catch(() => "")).trim() || undefined;
    const gatewayUrl = (values.url ?? gatewayUrlFromEnv(env)).replace(/\/+$/, "");
    const findings: Finding[] = [];
    const report = (f: Finding) => {
      findings.push(f);
      process.stdout.write(
        `${f.status.padEnd(5)} ${f.check.padEnd(16)} ${f.detail}\n${f.fix ? `      fix: ${f.fix}\n` : ""}`,
      );
    };

    checkConfig(env, report);
    const auth = await checkAuthFile(env.NATS_AUTH_FILE, report);
    const natsUrls = (env.NATS_URL ?? "nats://127.0.0.1:4222").split(",").map((u) => u.trim());
    await checkNats(natsUrls, auth, maxSkewMs, report);
    const wsUrls = (env.NATS_WS_URL ?? "")
      .split(",")
      .map((u) => u.trim())
      .filter(Boolean);
    const gatewayOrigin =
      env.PARLEY_PUBLIC_URL && URL.canParse(env.PARLEY_PUBLIC_URL)
        ? new URL(env.PARLEY_PUBLIC_URL).origin
        : new URL(gatewayUrl).origin;
    await checkWebSocket(wsUrls, [gatewayOrigin, ...(values.origin ?? [])], report);
    await checkGateway(gatewayUrl, token, maxSkewMs, report);
    await checkTls([gatewayUrl, env.PARLEY_PUBLIC_URL, ...wsUrls], daysLeft, report);

    const failed = findings.filter((f) => f.status === "FAIL").length;
    process.stdout.write(
      failed === 0 ? "\nall checks passed\n" : `\n${failed} check${failed === 1 ? "" : "s"} failed\n`,
    );
    return failed === 0 ? ExitCodes.ok : ExitCodes.failed;
  },
};

function checkConfig(env: NodeJS.ProcessEnv, report: Report): void {
  try {
    loadConfig(env);
    report({ status: "OK", check: "config", detail: "the gateway's environment is complete and valid" });
  } catch (error) {
    report({
      status: "FAIL",
      check: "config",
      detail: (error as Error).message.replace(/\n/g, "; "),
      fix: "run doctor with the gateway's environment (--env-file <dir>/gateway.env) and set what is named (docs/running.md#environment-variables)",
    });
  }
}

async function checkAuthFile(path: string | undefined, report: Report): Promise<NatsAuth | undefined> {
  const check = "nats auth file";
  if (!path) {
    report({
      status: "FAIL",
      check,
      detail: "NATS_AUTH_FILE is not set",
      fix: "parley-gateway init writes it; pass --env-file <dir>/gateway.env",
    });
    return undefined;
  }
  let auth: NatsAuth;
  try {
    auth = parseNatsAuth(await readFile(path, "utf8"));
  } catch (error) {
    report({
      status: "FAIL",
      check,
      detail: `${path}: ${(error as Error).message}`,
      fix: "parley-gateway init --force --new-keys writes a new one (then restart nats-server and the gateways)",
    });
    return undefined;
  }
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    report({
      status: "FAIL",
      check,
      detail: `${path} is readable by others (mode ${mode.toString(8)}): it holds signing seeds`,
      fix: `chmod 600 ${path}`,
    });
  } else report({ status: "OK", check, detail: `${path} (mode 600, keys verify)` });
  return auth;
}

async function checkNats(urls: string[], auth: NatsAuth | undefined, maxSkewMs: number, report: Report): Promise<void> {
  if (!auth) {
    report({ status: "SKIP", check: "nats", detail: "no valid auth file to connect with" });
    return;
  }
  for (const url of urls) {
    try {
      const { rttMs, version } = await probeNatsApp(url, auth);
      report({
        status: "OK",
        check: "nats",
        detail: `${url}: nats-server ${version}, round trip ${rttMs} ms, app account credentials accepted`,
      });
    } catch (error) {
      const message = (error as Error).message;
      const refused = /authorization|authentication|permission/i.test(message);
      report({
        status: "FAIL",
        check: "nats",
        detail: `${url}: ${message}`,
        fix: refused
          ? "nats-server runs a config from other keys: run it with the nats.conf init wrote next to this auth file"
          : "start nats-server -c <dir>/nats.conf, or set NATS_URL to where it listens",
      });
      continue;
    }
    try {
      const { skewMs } = await probeNatsClock(url, auth);
      report(clockFinding("nats clock", `nats-server at ${url}`, skewMs, maxSkewMs));
    } catch (error) {
      report({
        status: "FAIL",
        check: "nats clock",
        detail: `${url}: the connection watcher's system user cannot ask for connections: ${(error as Error).message}`,
        fix: "the server's config lacks this auth file's system account: re-render it with parley-gateway init --force and restart nats-server",
      });
    }
  }
}

async function checkWebSocket(wsUrls: string[], origins: string[], report: Report): Promise<void> {
  if (wsUrls.length === 0) {
    report({
      status: "FAIL",
      check: "websocket",
      detail: "NATS_WS_URL is not set",
      fix: "set NATS_WS_URL to the WebSocket URL clients use (init writes it)",
    });
    return;
  }
  for (const wsUrl of wsUrls) {
    for (const origin of [...new Set(origins)]) {
      try {
        const result = await probeWebSocket(wsUrl, origin);
        if (result.upgraded && result.nats)
          report({ status: "OK", check: "websocket", detail: `${wsUrl} lets ${origin} in` });
        else if (result.upgraded)
          report({
            status: "FAIL",
            check: "websocket",
            detail: `${wsUrl} upgraded but did not speak NATS`,
            fix: "point NATS_WS_URL at nats-server's websocket port (or a proxy passing it through)",
          });
        else
          report({
            status: "FAIL",
            check: "websocket",
            detail: `${wsUrl} turns ${origin} away (HTTP ${result.status})`,
            fix: `add it to allowed_origins: parley-gateway init --force --origin ${origin} (keep the others), then restart nats-server`,
          });
      } catch (error) {
        report({
          status: "FAIL",
          check: "websocket",
          detail: `${wsUrl}: ${reason(error)}`,
          fix: "start nats-server with init's nats.conf (it has the websocket block), or set NATS_WS_URL to where it listens",
        });
        break;
      }
    }
    try {
      const foreign = await probeWebSocket(wsUrl, FOREIGN_ORIGIN);
      if (foreign.upgraded)
        report({
          status: "FAIL",
          check: "websocket",
          detail: `${wsUrl} lets any origin in (${FOREIGN_ORIGIN} was let in)`,
          fix: "set allowed_origins: parley-gateway init --force --origin <each origin>, then restart nats-server",
        });
      else report({ status: "OK", check: "websocket", detail: `${wsUrl} turns foreign origins away` });
    } catch {
      // Unreachable: already reported above.
    }
  }
}
