/** Small lookups from inside a card: the viewer, and elements of the chat around it. */
import type { ParleyClient } from "@parley/sdk";

/** The signed-in principal's id, or undefined before the client is connected. */
export function principalOf(client: ParleyClient | undefined): string | undefined {
  try {
    return client?.principal.id;
  } catch {
    return undefined;
  }
}

/** Whether the signed-in principal is the shop's team (an agent or a bot): they do not order or split. */
export function isTeam(client: ParleyClient | undefined): boolean {
  try {
    const kind = client?.principal.kind;
    return kind === "agent" || kind === "bot";
  } catch {
    return false;
  }
}

/** The first element matching `selector` in `from`'s shadow root or any root around it, nearest first. */
export function findUp(from: Element, selector: string): HTMLElement | undefined {
  let node: Node = from;
  for (;;) {
    const root = node.getRootNode() as Document | ShadowRoot;
    const found = root.querySelector<HTMLElement>(selector);
    if (found && found !== from) return found;
    if (!(root instanceof ShadowRoot)) return undefined;
    node = root.host;
  }
}
