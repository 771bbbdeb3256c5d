/**
 * The frame's side of the postMessage bridge. Accepts a message only when
 * its `event.origin` is the parent origin the frame validated AND its
 * `event.source` is `window.parent`, and only in a shape the validator knows;
 * posts only to that exact origin, never `*`. Ignored messages are counted in
 * the root element's `data-bridge-ignored` attribute (tests read it).
 */
import {
  BRIDGE_VERSION,
  type FrameMessage,
  fromPeer,
  type ParentMessage,
  parseParentMessage,
} from "../bridge/protocol.js";

type Outgoing = FrameMessage extends infer M ? (M extends { v: 1 } ? Omit<M, "v"> : never) : never;

export class FrameBridge {
  readonly #parentOrigin: string;
  readonly #root: HTMLElement;
  #ignored = 0;

  constructor(parentOrigin: string, root: HTMLElement, onMessage: (message: ParentMessage) => void) {
    this.#parentOrigin = parentOrigin;
    this.#root = root;
    window.addEventListener("message", (event) => {
      const message = fromPeer(event, parentOrigin, window.parent) ? parseParentMessage(event.data) : undefined;
      if (!message) {
        this.#ignored++;
        this.#root.dataset.bridgeIgnored = String(this.#ignored);
        return;
      }
      onMessage(message);
    });
  }

  post(message: Outgoing): void {
    window.parent.postMessage({ v: BRIDGE_VERSION, ...message }, this.#parentOrigin);
  }
}
