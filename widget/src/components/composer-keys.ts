/**
 * What a key pressed in the composer's textarea does, decided without the
 * DOM so every case can be tested: while the `@` list is open, ArrowDown and
 * ArrowUp move through it (wrapping), Enter or Tab picks the highlighted
 * person and Escape closes it; otherwise Enter sends and Shift+Enter is left
 * to the textarea (a new line). Nothing is picked or sent while an IME
 * composition is open.
 */

/** The parts of a `KeyboardEvent` the composer looks at. */
export interface ComposerKeyEvent {
  key: string;
  shiftKey: boolean;
  isComposing: boolean;
  /** 229 while the key goes to an IME (Safari reports `isComposing` late). */
  keyCode: number;
}

/** The `@` list as the keys see it: how many people it shows (0: closed) and which is highlighted. */
export interface MentionListState {
  count: number;
  active: number;
}

/** What to do with the key; every action but `none` also prevents the key's default. */
export type ComposerKeyAction =
  | { readonly do: "move"; readonly active: number }
  | { readonly do: "pick"; readonly index: number }
  | { readonly do: "close" }
  | { readonly do: "send" }
  | { readonly do: "none" };

const NONE: ComposerKeyAction = { do: "none" };

/** The action for key `e`, given the `@` list and whether a composition is open (`compositionstart` seen, no `compositionend` yet). */
export function composerKey(e: ComposerKeyEvent, list: MentionListState, composing: boolean): ComposerKeyAction {
  const { count, active } = list;
  if (count > 0) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      return { do: "move", active: (active + (e.key === "ArrowDown" ? 1 : count - 1)) % count };
    }
    if ((e.key === "Enter" || e.key === "Tab") && !e.isComposing && active >= 0 && active < count) {
      return { do: "pick", index: active };
    }
    if (e.key === "Escape") return { do: "close" };
  }
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing && !composing && e.keyCode !== 229) return { do: "send" };
  return NONE;
}
