/**
 * What the listen UI takes from the SDK: `client.listen`, `client.clock`, and
 * the playhead math of `@parley/sdk/listen` (pure functions: the chunk that
 * imports them shares nothing with the chat's first load), with small lookups
 * that never throw before the client is connected.
 */
import type { ListenApi, ListenSession, ParleyClient, SharedClockApi } from "@parley/sdk";
import type { ShopMedia, Track } from "@parley/sdk/protocol";
import type { ShopFeatures } from "../components/shop-features.js";

export type {
  DriftAction,
  ListenApi,
  ListenBoard,
  ListenSession,
  PlaybackChange,
  PlaybackState,
  Playhead,
} from "@parley/sdk";
export { followPlayhead, nextChange, playheadAt } from "@parley/sdk/listen";

/** The shop's settings as the chat elements receive them (`ShopFeatures`; listening reads `media`). */
export type ListenFeatures = Pick<ShopFeatures, "media">;

/** The listen API of a client. */
export const listenOf = (client: ParleyClient | undefined): ListenApi | undefined => client?.listen;

/** The shared clock of a client. */
export const clockOf = (client: ParleyClient | undefined): SharedClockApi | undefined => client?.clock;

/** Shared-clock now (the device's clock without a client). */
export const sharedNow = (client: ParleyClient | undefined): number => client?.clock.now() ?? Date.now();

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
