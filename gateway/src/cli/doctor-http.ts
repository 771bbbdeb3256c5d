/**
 * The HTTP half of `parley-gateway doctor`: the gateway's readiness, a write
 * to its store and its clock (`POST /v1/admin/doctor`), and the TLS
 * certificates of the https:// and wss:// URLs a deployment hands out.
 */
import type { DoctorReply } from "../transport/admin-routes.js";
import { probeTls, reason, type TimedResponse, timedFetch } from "./doctor-checks.js";

/** One finding: OK, FAIL with the fix, or SKIP (not configured). */
export interface Finding {
  status: "OK" | "FAIL" | "SKIP";
  check: string;
  detail: string;
  fix?: string;
}

export type Report = (finding: Finding) => void;

export async function checkGateway(
  gatewayUrl: string,
  token: string | undefined,
  maxSkewMs: number,
  report: Report,
): Promise<void> {
  let ready: TimedResponse;
  try {
    ready = await timedFetch(`${gatewayUrl}/readyz`);
  } catch (error) {
    report({
      status: "FAIL",
      check: "gateway",
      detail: `${gatewayUrl}: ${reason(error)}`,
      fix: "start the gateway (parley-gateway --env-file <dir>/gateway.env), or pass --url",
    });
    report({ status: "SKIP", check: "store", detail: "the gateway is not reachable" });
    return;
  }
  const checks = (ready.body as { checks?: { nats?: boolean; store?: boolean } }).checks;
  if (ready.status === 200) report({ status: "OK", check: "gateway", detail: `${gatewayUrl} is ready` });
  else {
    const down = Object.entries(checks ?? {})
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    report({
      status: "FAIL",
      check: "gateway",
      detail: `${gatewayUrl}/readyz answers ${ready.status} (down: ${down.join(", ") || "unknown"})`,
      fix: down.includes("nats")
        ? "the gateway cannot reach NATS: see the nats check"
        : "the gateway cannot reach its store: check MONGODB_URI or PARLEY_DATA_DIR and the gateway's log",
    });
  }
  if (!token) {
    report({
      status: "FAIL",
      check: "store",
      detail: "no admin token: the store write goes through the admin API",
      fix: "set PARLEY_ADMIN_TOKEN for the gateway and for doctor (init writes it into gateway.env)",
    });
    const dateMs = ready.date ? Date.parse(ready.date) : Number.NaN;
    if (!Number.isNaN(dateMs))
      report(
        clockFinding(
          "gateway clock",
          "the gateway (HTTP Date, 1 s steps)",
          dateMs + 500 - (ready.sent + ready.received) / 2,
          Math.max(maxSkewMs, 1500),
        ),
      );
    return;
  }
  let probe: TimedResponse;
  try {
    probe = await timedFetch(`${gatewayUrl}/v1/admin/doctor`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
  } catch (error) {
    report({
      status: "FAIL",
      check: "store",
      detail: `${gatewayUrl}: ${reason(error)}`,
      fix: "the gateway stopped answering: see its log",
    });
    return;
  }
  if (probe.status !== 200) {
    const code = (probe.body as { error?: { code?: string } }).error?.code ?? String(probe.status);
    report({
      status: "FAIL",
      check: "store",
      detail: `the admin API answered ${probe.status} ${code}`,
      fix:
        code === "unauthorized"
          ? "doctor's admin token differs from the gateway's PARLEY_ADMIN_TOKEN"
          : "set PARLEY_ADMIN_TOKEN for the gateway (the admin API is off without it) and restart it",
    });
    return;
  }
  const reply = probe.body as DoctorReply;
  if (reply.store.ok)
    report({ status: "OK", check: "store", detail: `${reply.store.kind} store took a write and a delete` });
  else
    report({
      status: "FAIL",
      check: "store",
      detail: `${reply.store.kind} store refused a write: ${reply.store.message}`,
      fix:
        reply.store.kind === "mongodb"
          ? "check MongoDB (primary reachable, the user may write, disk space)"
          : "check PARLEY_DATA_DIR: writable by the gateway's user, disk space",
    });
  report(clockFinding("gateway clock", "the gateway", reply.now - (probe.sent + probe.received) / 2, maxSkewMs));
}

export function clockFinding(check: string, what: string, skewMs: number, maxSkewMs: number): Finding {
  const rounded = Math.round(skewMs);
  const detail = `${what} is ${Math.abs(rounded)} ms ${rounded >= 0 ? "ahead of" : "behind"} this machine`;
  if (Math.abs(skewMs) <= maxSkewMs) return { status: "OK", check, detail };
  return {
    status: "FAIL",
    check,
    detail: `${detail} (more than ${maxSkewMs} ms)`,
    fix: "run NTP (chrony or systemd-timesyncd) on every host",
  };
}

export async function checkTls(urls: (string | undefined)[], daysLeft: number, report: Report): Promise<void> {
  const targets = new Map<string, { host: string; port: number }>();
  for (const text of urls) {
    if (!text || !URL.canParse(text)) continue;
    const url = new URL(text);
    if (url.protocol !== "https:" && url.protocol !== "wss:") continue;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const port = Number(url.port || 443);
    targets.set(`${host}:${port}`, { host, port });
  }
  if (targets.size === 0) {
    report({
      status: "SKIP",
      check: "tls",
      detail: "no https:// or wss:// URL configured (terminate TLS in front in production: docs/running.md)",
    });
    return;
  }
  for (const [name, { host, port }] of targets) {
    try {
      const tls = await probeTls(host, port);
      const now = Date.now();
      const problems: string[] = [];
      if (tls.untrusted) problems.push(`not trusted (${tls.untrusted})`);
      if (tls.wrongHost) problems.push(tls.wrongHost);
      if (tls.validFrom.getTime() > now) problems.push(`not valid before ${tls.validFrom.toISOString()}`);
      if (tls.validTo.getTime() < now) problems.push(`expired ${tls.validTo.toISOString()}`);
      else if (tls.validTo.getTime() - now < daysLeft * 86_400_000)
        problems.push(`expires ${tls.validTo.toISOString()}, in less than ${daysLeft} days`);
      if (problems.length === 0)
        report({
          status: "OK",
          check: "tls",
          detail: `${name}: certificate for ${tls.subject} valid until ${tls.validTo.toISOString().slice(0, 10)}`,
        });
      else
        report({
          status: "FAIL",
          check: "tls",
          detail: `${name}: ${problems.join("; ")}`,
          fix: `install a certificate for ${host} from a trusted CA, current and with its full chain, on the TLS proxy`,
        });
    } catch (error) {
      report({
        status: "FAIL",
        check: "tls",
        detail: `${name}: ${reason(error)}`,
        fix: "the TLS proxy does not answer: start it, or fix the URL",
      });
    }
  }
}
