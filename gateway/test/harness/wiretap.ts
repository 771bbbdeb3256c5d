/**
 * A NATS wiretap for canary checks: a non-bearer TCP user of the app account
 * that may subscribe to `>` (the gateway's service user may not), recording
 * every subject and payload it sees as text.
 */
import { encodeUser } from "@nats-io/jwt";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import type { TestStack } from "./stack.js";

/** A connected wiretap and what it captured so far (`subject payload` per message). */
export interface Wiretap {
  captured: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

/** Connects a wiretap to `stack`'s NATS server and starts capturing. */
export async function startWiretap(stack: TestStack): Promise<Wiretap> {
  const ukp = createUser();
  const jwt = await encodeUser(
    "wiretap",
    ukp,
    stack.nats.auth.appAccountPub,
    {
      pub: { allow: ["_INBOX.>"] },
      sub: { allow: [">"] },
      subs: -1,
      payload: -1,
      data: -1,
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: fromSeed(new TextEncoder().encode(stack.nats.auth.appSigningSeed)) },
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
  return { captured, [Symbol.asyncDispose]: () => nc.close() };
}
