/**
 * The browser's word on the network. When a device loses its connection the
 * browser fires `offline` at once, but an open WebSocket can linger for as long
 * as the NATS pings take to go unanswered (up to a minute): the client listens
 * so it can say "reconnecting" and drop the socket right away. Outside a
 * browser (Node, workers without these events) this does nothing.
 */
export interface NetworkHandlers {
  offline(): void;
  online(): void;
}

/** Calls the handlers on the global `offline` and `online` events; returns the function that stops. */
export function watchNetwork(handlers: NetworkHandlers): () => void {
  const target = globalThis as Partial<Pick<EventTarget, "addEventListener" | "removeEventListener">>;
  if (typeof target.addEventListener !== "function" || typeof target.removeEventListener !== "function") {
    return () => undefined;
  }
  const offline = () => handlers.offline();
  const online = () => handlers.online();
  target.addEventListener("offline", offline);
  target.addEventListener("online", online);
  return () => {
    target.removeEventListener?.("offline", offline);
    target.removeEventListener?.("online", online);
  };
}
