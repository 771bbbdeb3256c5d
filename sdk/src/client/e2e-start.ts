/**
 * Starting end-to-end encryption for a connected client, and the one piece of
 * it the client drives itself: handing history to someone this principal added.
 * The crypto layer and libsodium are loaded here, lazily: plaintext clients
 * never pull them in.
 */
import type { MessageBody } from "../codec.js";
import type { E2ESession } from "../e2e/session.js";
import type { ServerEvent } from "../protocol/rpc.js";
import type { ClientCore } from "./core.js";

/** Opens the end-to-end session; `onGrant` runs when a history grant gave this device keys for `convId`. */
export async function startE2E(core: ClientCore, onGrant: (convId: string) => void): Promise<E2ESession> {
  const session = core.requireSession();
  const { E2ESession } = await import("../e2e/session.js");
  const keyBackupSecret = await keyBackupSecretOf(core);
  return E2ESession.open({
    ...(keyBackupSecret === undefined ? {} : { keyBackupSecret }),
    request: (op, body) => core.request(op, body),
    storage: core.o.storage,
    principal: session.principal,
    onDevicesChanged: (changes) => core.events.emit("devices-changed", changes),
    onError: (error) => core.events.emit("error", error),
    onGrant,
  });
}

/** The customer's key backup secret from `auth.getKeyBackupSecret`, if any (a failure is reported, not fatal). */
async function keyBackupSecretOf(core: ClientCore): Promise<string | undefined> {
  const { auth } = core.o;
  if (auth.kind !== "customer" || !auth.getKeyBackupSecret) return undefined;
  try {
    return await auth.getKeyBackupSecret();
  } catch (err) {
    core.events.emit("error", new Error(`getKeyBackupSecret failed: ${(err as Error).message}`, { cause: err }));
    return undefined;
  }
}

/**
 * After this principal added someone (an accepted invite) and the epoch
 * that includes them is committed: hands them the earlier keys their invite
 * offered (`none`: nothing, `7d`, `all`), when this device made that commit.
 */
export async function grantHistory(
  core: ClientCore,
  event: Extract<ServerEvent, { type: "membership" }>,
  send: (convId: string, body: MessageBody) => Promise<unknown>,
): Promise<void> {
  const me = core.self;
  if (!core.e2e || event.change !== "joined" || event.by !== me || event.principalId === me) return;
  const grant = await core.e2e.historyGrant(event.convId, event.principalId);
  if (grant) await send(event.convId, grant);
}
