// The demo's seeded customers: Mia, Noah and Leo, each with a handle, so an
// @invite can be tried at once (log in to the storefront as "Mia", type
// @noah in the chat). They sign in the way the storefront signs them in (the
// shop backend's id for that name, a token signed with the shop's secret) and
// set their handle; a handle they already hold is left as it is.
import { DemoError, SHOP_ID } from "./common.mjs";
import { STOREFRONT_MAIN, sdkPackage, sdkServerPackage, wsPackage } from "./packages.mjs";

/** The seeded customers: the name to log in with, and the handle it holds. */
export const SEEDED_CUSTOMERS = [
  { name: "Mia", handle: "mia" },
  { name: "Noah", handle: "noah" },
  { name: "Leo", handle: "leo" },
];

/** Gives each seeded customer its handle (idempotent: a second demo run changes nothing). */
export async function seedCustomers({ gatewayUrl, secrets }) {
  const { createClient } = await sdkPackage();
  const { signCustomerToken } = await sdkServerPackage();
  const { shopperId } = await import(STOREFRONT_MAIN);
  const { default: WebSocket } = await wsPackage();
  for (const { name, handle } of SEEDED_CUSTOMERS) {
    const getToken = () =>
      signCustomerToken({
        shopId: SHOP_ID,
        key: { alg: "HS256", secret: secrets.shopTokenSecret },
        customer: { id: shopperId(name), name },
      });
    const client = createClient({
      gatewayUrl,
      auth: { kind: "customer", shopId: SHOP_ID, getToken },
      WebSocket,
      origin: gatewayUrl,
      // Only the profile is set here: no device of theirs is made, so their browser's device is their only one.
      encryption: false,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      if (client.principal.handle !== handle) await client.updateProfile({ handle });
    } catch (err) {
      throw new DemoError(`could not give ${name} the handle @${handle}: ${err.message}`);
    } finally {
      await client.close();
    }
  }
}
