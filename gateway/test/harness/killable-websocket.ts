/**
 * A `ws` WebSocket class whose sockets a test can cut, all at once and for
 * good, without a close frame: a crashed tab, a dead process, a device that
 * dropped off the network. After `kill()` every reconnect goes to the discard
 * port, where nothing listens.
 */
import WebSocket from "ws";

export function killableWebSocket(): { WebSocket: typeof WebSocket; kill(): void } {
  const sockets = new Set<WebSocket>();
  let dead = false;
  class Killable extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(dead ? "ws://127.0.0.1:9" : address, protocols);
      sockets.add(this);
    }
  }
  return {
    WebSocket: Killable as unknown as typeof WebSocket,
    kill() {
      dead = true;
      for (const s of sockets) s.terminate();
    },
  };
}
