/** Content-free, signed webhooks (docs/webhooks.md): settings, events, delivery. */
export { WebhookAdmin, webhookInputSchema } from "./admin.js";
export { WebhookDelivery, webhookBody } from "./delivery.js";
export { type ConversationChange, WebhookEvents } from "./events.js";
export { backoffMs, parseWebhookOptions, WEBHOOK_DEFAULTS, type WebhookOptions } from "./options.js";
export { signatureHeader } from "./sign.js";
export { addressProblem, webhookUrlProblem } from "./url-policy.js";
