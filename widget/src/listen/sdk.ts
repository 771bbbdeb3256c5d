/**
 * What the listen UI takes from the SDK: `client.listen`, `client.clock`, and
 * the playhead math of `@parley/sdk/listen`, with small lookups that never
 * throw before the client is connected.
 */
import type { ParleyClient } from "@parley/sdk";
import type { ShopMedia, Track } from "@parley/sdk/protocol";
import type { ListenApi, ListenSession, SharedClockApi } from "./sdk-types.js";

export type { DriftAction, ListenApi, ListenBoard, ListenSession, Playhead } from "./sdk-types.js";
export { followPlayhead, playheadAt } from "./sdk-types.js";

/** The shop's settings as the chat elements receive them (only what listening uses). */
export interface ListenFeatures {
  /** The shop's audio: allowed origins and catalog; absent when it offers none. */
  media?: ShopMedia;
}

/** The listen API of a client, when it has one. */
export const listenOf = (client: ParleyClient | undefined): ListenApi | undefined =>
  (client as { listen?: ListenApi } | undefined)?.listen;

/** The shared clock of a client, when it has one. */
export const clockOf = (client: ParleyClient | undefined): SharedClockApi | undefined =>
  (client as { clock?: SharedClockApi } | undefined)?.clock;

/** Shared-clock now (the local clock when the client has none yet). */
export const sharedNow = (client: ParleyClient | undefined): number => clockOf(client)?.now() ?? Date.now();

/** The signed-in principal's id, or undefined before the client is connected. */
export function principalOf(client: ParleyClient | undefined): string | undefined {
  try {
    return client?.principal.id;
  } catch {
    return undefined;
  }
}

/** Whether `session` is running (not ended). */
export const running = (session: ListenSession | undefined): session is ListenSession =>
  !!session && session.endedAt === undefined;

/** Whether `url` is on one of the shop's media `origins` (the only audio the chat plays). */
export function allowedOrigin(url: string, media: ShopMedia | undefined): boolean {
  try {
    return !!media && media.origins.includes(new URL(url).origin);
  } catch {
    return false;
  }
}

/** Whether every track of the queue may be played here. */
export const playable = (queue: readonly Track[], media: ShopMedia | undefined): boolean =>
  queue.every((t) => allowedOrigin(t.url, media));
