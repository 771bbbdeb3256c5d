/**
 * Loads listening together (widget/src/listen/) on demand (ADR 0026): the first
 * time a conversation holds a listening session, or someone opens "Listen
 * together". Shared by the message, the chat and the composer so the chunk is
 * fetched once.
 */
import type { ChatMessage, ParleyClient } from "@parley/sdk";
import { html, type TemplateResult } from "lit";
import { kit } from "./panel-kit.js";
import type { ShopFeatures } from "./shop-features.js";

type ListenModule = typeof import("../listen/index.js");

let listen: Promise<ListenModule> | undefined;

/** The listen module, its elements defined; fetched again after a failed load. */
export function loadListen(): Promise<ListenModule> {
  listen ??= import("../listen/index.js").then(
    (m) => {
      m.define(kit);
      return m;
    },
    (err: unknown) => {
      listen = undefined;
      throw err;
    },
  );
  return listen;
}

/** Whether the listen module was asked for already. */
export const listenLoading = (): boolean => listen !== undefined;

/** Whether `m` belongs to a listening session (its start or one of its events). */
export const isListen = (m: ChatMessage): boolean => m.body?.type === "listen" || m.body?.type === "listen-event";

/** What the player bar takes from the view it sits in (`<parley-chat>`, the dashboard's conversation). */
export interface ListenBarHost {
  client: ParleyClient | undefined;
  locale: string;
  names: Record<string, string>;
  features: ShopFeatures;
}

/**
 * The player bar of `convId` (`<parley-listen-bar>`, defined once the listen module loads; until then
 * an empty element): it shows while the viewer listens in the conversation's running session.
 */
export function listenBar(host: ListenBarHost, convId: string | undefined): TemplateResult {
  return html`<parley-listen-bar
    exportparts="listen-bar"
    .client=${host.client}
    .conversationId=${convId}
    .locale=${host.locale}
    .names=${host.names}
    .features=${host.features}
  ></parley-listen-bar>`;
}
