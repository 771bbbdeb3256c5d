// Team devices (the agent) read customers' conversations through the shop's
// team key, which an admin's device hands to each new team device (the demo
// runs one; in a shop, an admin's dashboard does it). The first run of the
// terminal chat as an agent is such a new device: it waits for the key, then
// connects again so the SDK reads with it. Later runs find it in their storage.

/**
 * Connects `makeClient()`'s client; for a team device without the team key,
 * waits up to `waitMs` for an admin device to hand it over, then reconnects.
 * Resolves `{ client, me }`.
 * @param {() => import("@parley/sdk").ParleyClient} makeClient
 * @param {{ team: boolean, waitMs: number, say: (line: string) => void }} options
 */
export async function connectWithTeamKey(makeClient, { team, waitMs, say }) {
  const client = makeClient();
  /** Devices the team key was handed to while this client listened (an admin may do it during connect). */
  const wrapped = new Set();
  let check = () => undefined;
  client.on("team", (event) => {
    if (event.change !== "wrapped" || !event.deviceId) return;
    wrapped.add(event.deviceId);
    check();
  });
  const me = await client.connect();
  if (!team) return { client, me };

  const { key, wraps } = await client.request("team.wrap.get", {});
  const held = key !== null && wraps.some((w) => w.deviceId === client.deviceId && w.version === key.version);
  if (held && !wrapped.has(client.deviceId)) return { client, me };
  if (!held) {
    say(
      `(this device ${client.deviceId} is new to the shop's team: waiting for an admin's device to hand it the team key)`,
    );
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error("no admin device handed this device the team key: is the demo (or an admin's dashboard) running?"),
        );
      }, waitMs);
      check = () => {
        if (!wrapped.has(client.deviceId)) return;
        clearTimeout(timer);
        resolve();
      };
      check();
    }).catch(async (err) => {
      await client.close();
      throw err;
    });
  }
  // The key arrived after this session started: a new session reads with it from the first message.
  await client.close();
  const again = makeClient();
  return { client: again, me: await again.connect() };
}
