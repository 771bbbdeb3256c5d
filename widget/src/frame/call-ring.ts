/**
 * Tells the launcher about the call ringing in the chat, so its ring bubble
 * shows while the chat is closed: the newest incoming call's id and media,
 * and the caller's display name only when the call verifiably comes from the
 * shop's team (another customer's name never reaches the storefront).
 */
import type { IncomingCall, ParleyClient } from "@parley/sdk";
import type { RingingCall } from "../bridge/protocol.js";
import { callsApi } from "../components/calls-hook.js";

/** A team member's name (the team's presence, else the conversation's members) as the bridge carries it: no control characters, at most 80. */
async function teamName(client: ParleyClient, call: IncomingCall): Promise<string | undefined> {
  if (!call.fromTeam) return undefined;
  const online = client.presence.value.online.find((m) => m.principalId === call.caller)?.displayName;
  const members = online ? [] : await client.members(call.convId).catch(() => []);
  const found = online ?? members.find((m) => m.principalId === call.caller)?.displayName;
  const name = found?.replace(/[\u0000-\u001f\u007f-\u009f]/g, "").trim();
  return name ? name.slice(0, 80) : undefined;
}

/** Posts `{type: "call"}` whenever the newest ringing call changes; returns the function that stops. */
export function followRinging(
  client: ParleyClient,
  post: (message: { type: "call"; call: RingingCall | null }) => void,
): () => void {
  const calls = callsApi(client);
  if (!calls) return () => undefined;
  let shown: string | null | undefined;
  return calls.incoming.subscribe((list) => {
    const call = list[0];
    const id = call?.id ?? null;
    if (id === shown) return;
    shown = id;
    if (!call) return post({ type: "call", call: null });
    void teamName(client, call).then((name) => {
      if (shown === call.id)
        post({ type: "call", call: { id: call.id, media: call.media, ...(name ? { teamName: name } : {}) } });
    });
  });
}
