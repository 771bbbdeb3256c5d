/** `@parley/gateway`: run a gateway in-process (the `parley-gateway` binary does the same from env). */

export type { GatewayConfig, GatewayEnv } from "./config.js";
export { loadConfig } from "./config.js";
export { ConfigError, GatewayError } from "./errors.js";
export type { Gateway, GatewayOptions } from "./gateway.js";
export { createGateway } from "./gateway.js";
export { createLogger } from "./logger.js";
export type { NatsAuth, ServerConfigOptions } from "./nats/accounts.js";
export {
  generateNatsAuth,
  loadOrCreateNatsAuth,
  parseNatsAuth,
  renderServerConfig,
  serializeNatsAuth,
} from "./nats/accounts.js";
export type { PrincipalConnections } from "./nats/connections.js";
export { JwtMinter } from "./nats/minter.js";
export type { GatewayMetrics, MetricsSources, Transport } from "./observability/metrics.js";
export type { OpenApiDocument } from "./openapi/document.js";
export { openApiDocument, openApiText } from "./openapi/document.js";
export type { ServedRoute } from "./openapi/route-list.js";
export type { RouteDoc } from "./openapi/routes.js";
export { routes as httpRoutes } from "./openapi/routes.js";
export type { IceOptions, TurnOptions } from "./service/ice.js";
export { openStore } from "./store/index.js";
export type { Store } from "./store/port.js";
