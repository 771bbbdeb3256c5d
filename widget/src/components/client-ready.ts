/** Waiting for a client to be connected, shared by the chat and its panels. */
import type { ParleyClient } from "@parley/sdk";

/** Connects an idle client, or waits for one that is connecting. */
export async function ready(client: ParleyClient): Promise<void> {
  const state = client.status.value.state;
  if (state === "idle") {
    await client.connect();
    return;
  }
  if (state !== "connecting") return;
  await new Promise<void>((resolve, reject) => {
    const off = client.status.subscribe((s) => {
      if (s.state === "connecting") return;
      queueMicrotask(() => off());
      if (s.state === "closed") reject(s.error ?? new Error("closed"));
      else resolve();
    });
  });
}
