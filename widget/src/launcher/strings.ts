/** The launcher's few words, in English and German; anything else falls back to English. */

export interface LauncherStrings {
  open: string;
  close: string;
  /**
   * Appended to the button's label when there are unread messages; given the count as the badge
   * shows it ("3", "99+"), so the name holds the visible text (WCAG 2.5.3, axe label-content-name-mismatch).
   */
  unread: (shown: string) => string;
  /** Appended for pending invites, like `unread`. */
  invites: (shown: string) => string;
  frame: string;
}

const en: LauncherStrings = {
  open: "Open chat",
  close: "Close chat",
  unread: (n) => (n === "1" ? "1 unread message" : `${n} unread messages`),
  invites: (n) => (n === "1" ? "1 invite" : `${n} invites`),
  frame: "Chat with the shop",
};

const de: LauncherStrings = {
  open: "Chat öffnen",
  close: "Chat schließen",
  unread: (n) => (n === "1" ? "1 ungelesene Nachricht" : `${n} ungelesene Nachrichten`),
  invites: (n) => (n === "1" ? "1 Einladung" : `${n} Einladungen`),
  frame: "Chat mit dem Shop",
};

export function stringsFor(locale: string): LauncherStrings {
  return locale.toLowerCase().startsWith("de") ? de : en;
}
