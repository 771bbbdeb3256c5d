/**
 * A NATS wiretap for canary checks: a non-bearer TCP user of the app account
 * (or of the bots account, where bots publish) that may subscribe to `>` (the
 * gateway's service user may not), recording every subject and payload it
 * sees as text, and the request ids messages carry. And a lying publisher ({@link startLiar}), which puts events
 * on principals' subjects as if the gateway sent them.
 */
import { encodeUser } from "@nats-io/jwt";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { REQUEST_ID_HEADER, type ServerEvent } from "@parley/sdk/protocol";
import type { TestStack } from "./stack.js";

/** A connected wiretap and what it captured so far (`subject payload` per message). */
export interface Wiretap {
  captured: string[];
  /** The subject and `X-Request-Id` header of each captured message that carried one, in order. */
  requestIds: Array<{ subject: string; requestId: string }>;
  /** Every captured message in order: its subject, payload as text and `X-Request-Id` header (if any). */
  messages: Array<{ subject: string; data: string; requestId: string | undefined }>;
  /** Resolves once everything published before the call was captured. */
  flush(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A non-bearer TCP user of the app account with these publish and subscribe allow-lists. */
async function connectAs(stack: TestStack, name: string, permissions: { pub: string[]; sub: string[] }) {
  const { auth } = stack.nats;
  const ukp = createUser();
  const jwt = await encodeUser(
    name,
    ukp,
    auth.appAccountPub,
    {
      pub: { allow: permissions.pub },
      sub: { allow: permissions.sub },
      subs: -1,
      payload: -1,
      data: -1,
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: fromSeed(new TextEncoder().encode(auth.appSigningSeed)) },
  );
  return connect({ servers: [stack.nats.url], authenticator: jwtAuthenticator(jwt, ukp.getSeed()) });
}

/** A connected lying publisher. */
export interface Liar {
  /** Publishes `event` on `subject` (a principal's `user.<id>.ev`, say) and waits until NATS has it. */
  publish(subject: string, event: ServerEvent): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A gateway that lies about events. A real gateway cannot be made to send an
 * event it was not asked to (a signal's envelope to someone no longer in the
 * conversation, say); this app-account user publishes such events on
 * principals' subjects, which the gateway alone may do in production.
 */
export async function startLiar(stack: TestStack): Promise<Liar> {
  const nc = await connectAs(stack, "lying-gateway", { pub: [">"], sub: ["_INBOX.>"] });
  const encoder = new TextEncoder();
  return {
    async publish(subject, event) {
      nc.publish(subject, encoder.encode(JSON.stringify(event)));
      await nc.flush();
    },
    [Symbol.asyncDispose]: () => nc.close(),
  };
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
  const requestIds: Wiretap["requestIds"] = [];
  const messages: Wiretap["messages"] = [];
  const decoder = new TextDecoder();
  nc.subscribe(">", {
    callback: (_err, msg) => {
      const data = decoder.decode(msg.data);
      captured.push(`${msg.subject} ${data}`);
      const requestId = msg.headers?.get(REQUEST_ID_HEADER) || undefined;
      if (requestId) requestIds.push({ subject: msg.subject, requestId });
      messages.push({ subject: msg.subject, data, requestId });
    },
  });
  await nc.flush();
  return { captured, requestIds, messages, flush: () => nc.flush(), [Symbol.asyncDispose]: () => nc.close() };
}
