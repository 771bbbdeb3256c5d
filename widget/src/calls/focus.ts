/**
 * Where keyboard focus goes around a call (used by `<parley-call>`): whether the viewer is typing (a
 * ring never takes focus from a text field), joins started elsewhere (a
 * call's line in the timeline) so the call's view takes focus when it shows,
 * and the way back when the call's view goes: to the control that had focus
 * before, else to the conversation's composer.
 */
import { deepActive } from "../deep-active.js";

/** Clients whose viewer just joined a call from its timeline line (the call's view takes focus). */
export const joining = new WeakSet<object>();

/** Whether `el` takes typed text (a textarea, a text input, an editable element). */
export function isTyping(el: HTMLElement | undefined): boolean {
  if (!el) return false;
  if (el.isContentEditable || el instanceof HTMLTextAreaElement) return true;
  return el instanceof HTMLInputElement && /^(text|search|email|url|tel|password|number)$/.test(el.type);
}

/** Whether focus can go to `el`: still in the page, shown, not disabled. */
const focusable = (el: HTMLElement | undefined): el is HTMLElement =>
  !!el?.isConnected && !el.matches(":disabled") && el.getClientRects().length > 0;

/** The first shown `<parley-composer>`'s textarea under `root`, through open shadow roots. */
function composerIn(root: Document | ShadowRoot): HTMLElement | undefined {
  for (const el of root.querySelectorAll("*")) {
    if (el.localName === "parley-composer") {
      const area = el.shadowRoot?.querySelector<HTMLTextAreaElement>("textarea");
      if (focusable(area ?? undefined)) return area ?? undefined;
    }
    const inner = el.shadowRoot && composerIn(el.shadowRoot);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * Gives focus back from the call's view `from`: to `to` when it can still take it, else to the
 * nearest composer (the host's own tree first, then outwards). Waits a task first, so the host has
 * re-enabled the call buttons it disabled during the call.
 */
export async function restoreFocus(from: HTMLElement, to: HTMLElement | undefined): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
  const now = deepActive(from.ownerDocument);
  if (now && now !== from.ownerDocument.body && !from.contains(now) && !from.shadowRoot?.contains(now)) return; // moved on
  if (focusable(to)) {
    to.focus();
    return;
  }
  let root: Node = from.getRootNode();
  while (root instanceof ShadowRoot || root instanceof Document) {
    const area = composerIn(root);
    if (area) return area.focus();
    if (!(root instanceof ShadowRoot)) return;
    root = root.host.getRootNode();
  }
}
