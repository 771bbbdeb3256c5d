/**
 * `@parley/gateway/testing`: the gateway's test harness for the other
 * packages' integration tests (widget, examples, the merchant dashboard): a
 * real stack (nats-server and a gateway on free ports) and the helpers that
 * wait on it. Resolved from source only (the `source` export condition, which
 * vitest sets): it is never built or published. ADR 0021.
 */

export { type AttackMeta, type AttackRecorder, type AttackRow, asAttack, attack } from "./harness/attack.js";
export {
  type CoturnHarness,
  type StartCoturnOptions,
  startCoturn,
  TURN_REALM,
  type TurnUsage,
} from "./harness/coturn.js";
export { installDualTransport, withDualTransport } from "./harness/dual-transport.js";
export { DEFAULT_TEST_ORIGIN } from "./harness/nats.js";
export { freePort, freePorts } from "./harness/ports.js";
export {
  ADMIN_TOKEN,
  AGENT_LOGIN,
  AGENT_PASSWORD,
  SHOP_ID,
  SHOP_SECRET,
  type StackOptions,
  startStack,
  type TestStack,
} from "./harness/stack.js";
export { startTcpProxy, type TcpProxy } from "./harness/tcp-proxy.js";
export { type ReceivedWebhook, startWebhookReceiver, type WebhookReceiver } from "./harness/webhook-receiver.js";
export { codeOf, collectTexts, waitFor } from "./helpers.js";
