/**
 * Loads listening together (widget/src/listen/) on demand (ADR 0026): the first
 * time a conversation holds a listening session, or someone opens "Listen
 * together". Shared by the message, the chat and the composer so the chunk is
 * fetched once.
 */
import type { ChatMessage } from "@parley/sdk";
import { kit } from "./panel-kit.js";

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
