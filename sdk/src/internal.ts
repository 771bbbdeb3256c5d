/**
 * `@parley/sdk/internal`: what the other Parley packages need from the SDK
 * and applications must not use. The gateway, the widget, the benchmark and
 * the cross-package tests import it; nothing here is part of the public API,
 * and any of it may change or go in any release without notice. Applications
 * use `@parley/sdk`, `@parley/sdk/protocol`, `@parley/sdk/crypto` and
 * `@parley/sdk/server` only.
 */
export { fromBase64Url, toBase64Url } from "./base64url.js";
export type { LiveChannel, ReceivedLive } from "./client/live-channel.js";
export { liveChannelOf } from "./client.js";
export { measureCryptoPerMessage } from "./crypto/bench.js";
