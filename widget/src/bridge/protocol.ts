/**
 * The postMessage protocol between the storefront's launcher and the chat
 * frame. Both sides import this file, so the launcher stays small: the
 * validators are written by hand (no zod), accept exactly the documented
 * shapes and return `undefined` for anything else.
 *
 * Every message is `{v: 1, type, ...}`. Parent to frame: identify, open,
 * close, theme, locale, shutdown, token, answer-call. Frame to parent: ready,
 * unread, invites, call, message, close-request, resize, token-request,
 * shutdown-done, error.
 */

export const BRIDGE_VERSION = 1;

/** Look-and-feel settings the storefront may pass (`Parley('theme', {...})`). */
export interface ThemeSettings {
  /** Brand colour, a CSS hex colour such as `#0b7285`. */
  brand?: string;
  /** Corner radius in CSS pixels, 0 to 32. */
  radius?: number;
  /** A font family list, letters, digits, spaces, commas, quotes and hyphens only. */
  font?: string;
  /** Which bottom corner the launcher sits in. */
  position?: "left" | "right";
  mode?: "light" | "dark" | "auto";
}

/**
 * A call ringing in the chat, as the launcher shows it while the chat is closed: its id, voice or
 * video, and the caller's name only when the caller is verifiably of the shop's team (a team member's
 * name is the shop's own; another customer's never reaches the storefront).
 */
export interface RingingCall {
  id: string;
  media: "audio" | "video";
  teamName?: string;
}

/** How the launcher's ring bubble answers a call. */
export type CallAnswer = "video" | "audio" | "decline";

/** Who wrote a message, as the storefront may know it (no names, no text). */
export type MessageAuthor = "agent" | "bot" | "customer";

export type ParentMessage =
  /** `keyBackupSecret`: the customer's key backup secret from the shop's backend (ADR 0016); it stays in the frame. */
  | { v: 1; type: "identify"; token: string; keyBackupSecret?: string }
  | { v: 1; type: "token"; token: string }
  | { v: 1; type: "open" }
  | { v: 1; type: "close" }
  | { v: 1; type: "theme"; theme: ThemeSettings }
  | { v: 1; type: "locale"; locale: string }
  | { v: 1; type: "shutdown" }
  /** The ring bubble was answered: the frame takes (or declines) the call, the chat opens for Accept. */
  | { v: 1; type: "answer-call"; id: string; answer: CallAnswer };

export type FrameMessage =
  | { v: 1; type: "ready" }
  | { v: 1; type: "unread"; count: number }
  /** Invites waiting for the customer's answer (a count only). */
  | { v: 1; type: "invites"; count: number }
  /** The newest call ringing in the chat, or `null` when none rings (any more). */
  | { v: 1; type: "call"; call: RingingCall | null }
  | { v: 1; type: "message"; conversationId: string; from: MessageAuthor; ts: number }
  | { v: 1; type: "close-request" }
  | { v: 1; type: "resize"; mode: "normal" | "full" }
  | { v: 1; type: "token-request" }
  | { v: 1; type: "shutdown-done" }
  | { v: 1; type: "error"; code: string };

type Obj = Record<string, unknown>;

/** A plain object (what structured clone makes of one), so every field read is an own field. */
const isObj = (x: unknown): x is Obj =>
  typeof x === "object" &&
  x !== null &&
  (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null);
/** Only own data properties named in `keys`: extra fields make the message invalid. */
const onlyKeys = (o: Obj, keys: string[]): boolean => Object.keys(o).every((k) => keys.includes(k));
const isStr = (x: unknown, max: number): x is string => typeof x === "string" && x.length > 0 && x.length <= max;
const isCount = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 1e6;

/** A team member's display name as the ring bubble shows it: no control characters, at most 80 characters. */
const NAME = /^[^\p{Cc}]{1,80}$/u;

/** Validates a ringing call; `undefined` for anything else. */
export function parseRingingCall(x: unknown): RingingCall | undefined {
  if (!isObj(x) || !onlyKeys(x, ["id", "media", "teamName"])) return undefined;
  const { id, media, teamName } = x;
  if (typeof id !== "string" || !ID.test(id) || (media !== "audio" && media !== "video")) return undefined;
  if (teamName === undefined) return { id, media };
  return typeof teamName === "string" && NAME.test(teamName) ? { id, media, teamName } : undefined;
}

/** Compact JWT form (three base64url parts). */
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const COLOR = /^#[0-9a-fA-F]{3,8}$/;
const FONT = /^[A-Za-z0-9 ,'"-]{1,120}$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A key backup secret: `v<version>.` and 32 bytes in base64url. */
const BACKUP_SECRET = /^v[1-9][0-9]{0,8}\.[A-Za-z0-9_-]{43}$/;

/** Validates theme settings; `undefined` when any field is unknown or out of range. */
export function parseTheme(x: unknown): ThemeSettings | undefined {
  if (!isObj(x) || !onlyKeys(x, ["brand", "radius", "font", "position", "mode"])) return undefined;
  const { brand, radius, font, position, mode } = x;
  if (brand !== undefined && !(typeof brand === "string" && COLOR.test(brand))) return undefined;
  if (radius !== undefined && !(typeof radius === "number" && radius >= 0 && radius <= 32)) return undefined;
  if (font !== undefined && !(typeof font === "string" && FONT.test(font))) return undefined;
  if (position !== undefined && position !== "left" && position !== "right") return undefined;
  if (mode !== undefined && mode !== "light" && mode !== "dark" && mode !== "auto") return undefined;
  const theme: ThemeSettings = {};
  if (brand !== undefined) theme.brand = brand as string;
  if (radius !== undefined) theme.radius = radius as number;
  if (font !== undefined) theme.font = font as string;
  if (position !== undefined) theme.position = position as ThemeSettings["position"];
  if (mode !== undefined) theme.mode = mode as ThemeSettings["mode"];
  return theme;
}

export const isLocale = (x: unknown): x is string => typeof x === "string" && x.length <= 35 && LOCALE.test(x);
export const isToken = (x: unknown): x is string => isStr(x, 8192) && TOKEN.test(x);
export const isKeyBackupSecret = (x: unknown): x is string => typeof x === "string" && BACKUP_SECRET.test(x);

/** A message the frame may accept from its parent, or `undefined`. */
export function parseParentMessage(data: unknown): ParentMessage | undefined {
  if (!isObj(data) || data.v !== BRIDGE_VERSION) return undefined;
  switch (data.type) {
    case "identify": {
      const { token, keyBackupSecret: secret } = data;
      if (!onlyKeys(data, ["v", "type", "token", "keyBackupSecret"]) || !isToken(token)) return undefined;
      if (secret === undefined) return { v: 1, type: "identify", token };
      return isKeyBackupSecret(secret) ? { v: 1, type: "identify", token, keyBackupSecret: secret } : undefined;
    }
    case "token":
      return onlyKeys(data, ["v", "type", "token"]) && isToken(data.token)
        ? { v: 1, type: data.type, token: data.token }
        : undefined;
    case "open":
    case "close":
    case "shutdown":
      return onlyKeys(data, ["v", "type"]) ? { v: 1, type: data.type } : undefined;
    case "theme": {
      const theme = onlyKeys(data, ["v", "type", "theme"]) ? parseTheme(data.theme) : undefined;
      return theme ? { v: 1, type: "theme", theme } : undefined;
    }
    case "locale":
      return onlyKeys(data, ["v", "type", "locale"]) && isLocale(data.locale)
        ? { v: 1, type: "locale", locale: data.locale }
        : undefined;
    case "answer-call": {
      const { id, answer } = data;
      const ok =
        onlyKeys(data, ["v", "type", "id", "answer"]) &&
        typeof id === "string" &&
        ID.test(id) &&
        (answer === "video" || answer === "audio" || answer === "decline");
      return ok ? { v: 1, type: "answer-call", id, answer } : undefined;
    }
    default:
      return undefined;
  }
}

/** A message the launcher may accept from the frame, or `undefined`. */
export function parseFrameMessage(data: unknown): FrameMessage | undefined {
  if (!isObj(data) || data.v !== BRIDGE_VERSION) return undefined;
  switch (data.type) {
    case "ready":
    case "close-request":
    case "token-request":
    case "shutdown-done":
      return onlyKeys(data, ["v", "type"]) ? { v: 1, type: data.type } : undefined;
    case "unread":
    case "invites":
      return onlyKeys(data, ["v", "type", "count"]) && isCount(data.count)
        ? { v: 1, type: data.type, count: data.count }
        : undefined;
    case "call": {
      if (!onlyKeys(data, ["v", "type", "call"])) return undefined;
      if (data.call === null) return { v: 1, type: "call", call: null };
      const call = parseRingingCall(data.call);
      return call ? { v: 1, type: "call", call } : undefined;
    }
    case "message": {
      const { conversationId, from, ts } = data;
      const ok =
        onlyKeys(data, ["v", "type", "conversationId", "from", "ts"]) &&
        typeof conversationId === "string" &&
        ID.test(conversationId) &&
        (from === "agent" || from === "bot" || from === "customer") &&
        Number.isSafeInteger(ts) &&
        (ts as number) > 0;
      return ok ? { v: 1, type: "message", conversationId, from, ts: ts as number } : undefined;
    }
    case "resize":
      return onlyKeys(data, ["v", "type", "mode"]) && (data.mode === "normal" || data.mode === "full")
        ? { v: 1, type: "resize", mode: data.mode }
        : undefined;
    case "error":
      return onlyKeys(data, ["v", "type", "code"]) && typeof data.code === "string" && ID.test(data.code)
        ? { v: 1, type: "error", code: data.code }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Whether a `message` event comes from the expected window at the expected
 * origin: both must match exactly (an origin alone could be another frame of
 * the same site; a window alone could have navigated elsewhere).
 */
export function fromPeer(event: MessageEvent, origin: string, source: MessageEventSource | null): boolean {
  return source !== null && event.origin === origin && event.source === source;
}
