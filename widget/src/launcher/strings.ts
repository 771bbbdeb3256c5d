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
  /** The ring bubble: its title for a voice or video call, who calls, and its buttons. */
  ring: {
    audio: string;
    video: string;
    from: (name: string) => string;
    shop: string;
    video1: string;
    audio1: string;
    accept: string;
    decline: string;
  };
}

const en: LauncherStrings = {
  open: "Open chat",
  close: "Close chat",
  unread: (n) => (n === "1" ? "1 unread message" : `${n} unread messages`),
  invites: (n) => (n === "1" ? "1 invite" : `${n} invites`),
  frame: "Chat with the shop",
  ring: {
    audio: "Incoming voice call",
    video: "Incoming video call",
    from: (name) => `${name} from the shop is calling`,
    shop: "Someone is calling you in the chat",
    video1: "Accept with video",
    audio1: "Accept with voice only",
    accept: "Accept",
    decline: "Decline",
  },
};

const de: LauncherStrings = {
  open: "Chat öffnen",
  close: "Chat schließen",
  unread: (n) => (n === "1" ? "1 ungelesene Nachricht" : `${n} ungelesene Nachrichten`),
  invites: (n) => (n === "1" ? "1 Einladung" : `${n} Einladungen`),
  frame: "Chat mit dem Shop",
  ring: {
    audio: "Eingehender Sprachanruf",
    video: "Eingehender Videoanruf",
    from: (name) => `${name} vom Shop ruft an`,
    shop: "Jemand ruft Sie im Chat an",
    video1: "Mit Video annehmen",
    audio1: "Nur mit Ton annehmen",
    accept: "Annehmen",
    decline: "Ablehnen",
  },
};

export function stringsFor(locale: string): LauncherStrings {
  return locale.toLowerCase().startsWith("de") ? de : en;
}
