/**
 * Connecting and closing a client: the order in which the modules start
 * (session, outbox, NATS, events, end-to-end, refresh, presence) and stop.
 */
import { connectNats } from "../connection.js";
import { ParleyError } from "../errors.js";
import type { PrincipalInfo } from "../protocol/models.js";
import { startE2E } from "./e2e-start.js";
import type { ClientModules } from "./modules.js";

/** Opens a session, connects to NATS and sends whatever the outbox still holds. */
export async function connectClient(m: ClientModules): Promise<PrincipalInfo> {
  const { core } = m;
  if (core.closed) throw new ParleyError("bad_request", "client is closed");
  core.status.set({ state: "connecting" });
  try {
    const session = await m.session.open();
    core.session = session;
    await m.sender.load(session.principal.id);
    core.nc = await connectNats({
      session,
      WebSocket: core.o.WebSocket,
      origin: core.o.origin,
      currentJwt: () => core.session?.nats.jwt ?? "",
      seed: core.api.natsSeed,
    });
    m.router.subscribe(core.nc, session);
    m.link.watch(core.nc);
    if (core.o.encryption) {
      core.e2e = await startE2E(core, (convId) => {
        m.decoder.reopen(convId).catch(core.report);
      });
      core.deviceId = core.e2e.identity.deviceId;
    }
    m.session.schedule();
    for (const tracker of core.trackers.values()) tracker.setSelf(session.principal.id);
    core.status.set({ state: "connected", principal: session.principal });
    void m.sender.flush();
    await Promise.all([m.presence.ping(), m.invites.load()]);
    return session.principal;
  } catch (err) {
    core.status.set({ state: "closed", error: err as Error });
    throw err;
  }
}

/** Stops timers, drains the connection; the outbox stays in storage for next time. */
export async function closeClient(m: ClientModules): Promise<void> {
  const { core } = m;
  const wasConnected = core.status.value.state === "connected";
  core.closed = true;
  m.session.stop();
  m.sender.stop();
  m.presence.stop();
  m.invites.stop();
  m.link.stop();
  m.signals.clearTyping();
  m.location.close();
  m.calls.close();
  if (wasConnected) {
    // Read markers still waiting go out now; then this connection leaves the team's presence at once.
    await m.signals.flushReads();
    await m.presence.leave();
  }
  m.signals.refuseReads();
  core.e2e?.close();
  const nc = core.nc;
  if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  for (const waiter of core.waiters.values()) waiter.reject(new ParleyError("unavailable", "client closed"));
  core.waiters.clear();
  core.status.set({ state: "closed" });
  core.events.clear();
}
