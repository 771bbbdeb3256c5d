/**
 * Entry of `parley.js`, the script tag a shop pastes:
 *
 *   <script>window.Parley=window.Parley||function(){(Parley.q=Parley.q||[]).push(arguments)};</script>
 *   <script async src="https://GATEWAY/widget/parley.js" data-shop="SHOP_ID"></script>
 *
 * `data-preload="returning"` on the tag lets a visitor who opened the chat
 * before have it loaded once the page is idle (so a call rings at once).
 *
 * Finds its own script tag (for the shop id and the gateway's origin), swaps
 * the queueing stub for the real `Parley` function and replays the queue.
 * A page may still hold the stub itself (`const Parley = window.Parley` in a
 * script that ran first): the stub pushes onto `window.Parley.q`, so the real
 * function's `q` runs what is pushed instead of keeping it.
 */
import { Launcher } from "./launcher.js";

type Queue = { q?: ArrayLike<unknown>[] | { push(args: ArrayLike<unknown>): void } };
type ParleyFn = ((...args: unknown[]) => unknown) & Queue & { loaded?: true };

const SHOP = /^[A-Za-z0-9_-]{1,64}$/;

function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement) return current;
  return document.querySelector<HTMLScriptElement>('script[data-shop][src*="/widget/parley.js"]');
}

function start(): void {
  const w = window as unknown as { Parley?: ParleyFn };
  if (w.Parley?.loaded) return;
  const script = ownScript();
  const shopId = script?.dataset.shop ?? "";
  if (!script || !SHOP.test(shopId)) {
    console.warn("Parley: the script tag needs data-shop with the shop id");
    return;
  }
  const gatewayOrigin = new URL(script.src, location.href).origin;
  const boot = () => {
    const stubQueue = w.Parley?.q;
    const queued = stubQueue && "length" in stubQueue ? Array.from(stubQueue) : [];
    const preload = script.dataset.preload === "returning" ? "returning" : undefined;
    const launcher = new Launcher({ shopId, gatewayOrigin, ...(preload ? { preload } : {}) });
    const api: ParleyFn = (...args: unknown[]) => launcher.command(args[0], args[1], args[2]);
    api.loaded = true;
    // Calls through a stub the page kept a reference to arrive here, in order, after the queued ones.
    api.q = { push: (args: ArrayLike<unknown>) => void launcher.command(args[0], args[1], args[2]) };
    w.Parley = api;
    for (const args of queued) launcher.command(args[0], args[1], args[2]);
  };
  if (document.body) boot();
  else document.addEventListener("DOMContentLoaded", boot, { once: true });
}

start();
