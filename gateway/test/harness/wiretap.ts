/**
 * A NATS wiretap for canary checks: a non-bearer TCP user of the app account
 * (or of the bots account, where bots publish) that may subscribe to `>` (the
 * gateway's service user may not), recording every subject and payload it
 * sees as text.
 */
import { encodeUser } from "@nats-io/jwt";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import type { TestStack } from "./stack.js";

/** A connected wiretap and what it captured so far (`subject payload` per message). */
export interface Wiretap {
  captured: string[];
  /** Resolves once everything published before the call was captured. */
  flush(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Connects a wiretap to `stack`'s NATS server, in the app account or the bots account, and starts capturing. */
export async function startWiretap(stack: TestStack, account: "app" | "bots" = "app"): Promise<Wiretap> {
  const { auth } = stack.nats;
  const [accountPub, signingSeed] =
    account === "app" ? [auth.appAccountPub, auth.appSigningSeed] : [auth.botsAccountPub, auth.botsSigningSeed];
  const ukp = createUser();
  const jwt = await encodeUser(
    `${account}-wiretap`,
    ukp,
    accountPub,
    {
      pub: { allow: ["_INBOX.>"] },
      sub: { allow: [">"] },
      subs: -1,
      payload: -1,
      data: -1,
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: fromSeed(new TextEncoder().encode(signingSeed)) },
  );
  const nc: NatsConnection = await connect({
    servers: [stack.nats.url],
    authenticator: jwtAuthenticator(jwt, ukp.getSeed()),
  });
  const captured: string[] = [];
  const decoder = new TextDecoder();
  nc.subscribe(">", {
    callback: (_err, msg) => {
      captured.push(`${msg.subject} ${decoder.decode(msg.data)}`);
    },
  });
  await nc.flush();
  return { captured, flush: () => nc.flush(), [Symbol.asyncDispose]: () => nc.close() };
}
