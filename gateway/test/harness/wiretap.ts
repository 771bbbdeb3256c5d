/**
 * A NATS user that hears every subject of one account (the app account, or
 * the bots account where bots publish): for tests that check what crosses
 * NATS, such as the canary checks of end-to-end encrypted content.
 */
import { encodeUser } from "@nats-io/jwt";
import { jwtAuthenticator } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { withDualTransport } from "./dual-transport.js";
import type { TestStack } from "./stack.js";

/** What a wiretap heard, as `subject payload` lines; `close` ends it. */
export interface Wiretap {
  readonly heard: string[];
  /** Waits until everything published before this call was heard. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Subscribes a non-bearer TCP user of `account` to `>`. */
export async function wiretap(stack: TestStack, account: "app" | "bots" = "app"): Promise<Wiretap> {
  const { auth } = stack.nats;
  const [accountPub, seed] =
    account === "app" ? [auth.appAccountPub, auth.appSigningSeed] : [auth.botsAccountPub, auth.botsSigningSeed];
  const ukp = createUser();
  const jwt = await encodeUser(
    `${account}-wiretap`,
    ukp,
    accountPub,
    {
      sub: { allow: [">"] },
      pub: { allow: ["_INBOX.>"] },
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: fromSeed(new TextEncoder().encode(seed)) },
  );
  const nc = await withDualTransport(() =>
    connect({ servers: [stack.nats.url], authenticator: jwtAuthenticator(jwt, ukp.getSeed()) }),
  );
  const heard: string[] = [];
  const decoder = new TextDecoder();
  nc.subscribe(">", { callback: (_err, msg) => heard.push(`${msg.subject} ${decoder.decode(msg.data)}`) });
  await nc.flush();
  return { heard, flush: () => nc.flush(), close: () => nc.close() };
}
