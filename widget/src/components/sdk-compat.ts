/**
 * The parts of `ParleyClient` the components use from the signals and files
 * work (typing, read markers, presence, file upload and download), typed here
 * once so the components read them in one place.
 */
import type { ChatMessage, FileRef, ParleyClient, StateStore } from "@parley/sdk";

export interface TeamPresence {
  shopId: string;
  online: Array<{ principalId: string; displayName: string; kind: "agent" | "bot" }>;
  updatedAt: number;
}

export interface UploadProgress {
  sent: number;
  total: number;
}

export interface SignalAndFileApi {
  typing(convId: string, active: boolean): void;
  markRead(convId: string, seq: number): Promise<void>;
  presence: StateStore<TeamPresence>;
  sendFile(
    convId: string,
    data: Blob | Uint8Array,
    meta: { name: string; mime: string; caption?: string; image?: { width: number; height: number } },
    opts?: { onProgress?: (p: UploadProgress) => void; signal?: AbortSignal },
  ): Promise<ChatMessage>;
  downloadFile(convId: string, file: FileRef, opts?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** The client with the signal and file methods, where this SDK build has them. */
export function api(client: ParleyClient): Partial<SignalAndFileApi> {
  return client as unknown as Partial<SignalAndFileApi>;
}

/** Extra fields the signals work adds to `ConversationState`. */
export interface SignalState {
  readBy?: Record<string, number>;
  readUpTo?: number;
  unread?: number;
  typing?: readonly string[];
}
