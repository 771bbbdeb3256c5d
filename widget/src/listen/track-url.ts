/**
 * A track from a link typed into the picker: taken only when its origin is one
 * of the shop's media origins (the frame's CSP `media-src` allows nothing
 * else), and measured by loading its metadata in a throwaway `<audio>`.
 */
import type { ShopMedia } from "@parley/sdk/protocol";

/** The longest track URL, characters (the wire's MAX_TRACK_URL_CHARS). */
const MAX_URL_CHARS = 2_048;
/** The longest track, ms (the wire's MAX_TRACK_MS). */
const MAX_TRACK_MS = 3 * 60 * 60_000;
/** How long the picker waits for a link's metadata, ms. */
export const MEASURE_TIMEOUT_MS = 15_000;

/** What a typed link is. */
export type LinkCheck =
  | { ok: true; url: string }
  | { ok: false; reason: "badUrl" }
  | { ok: false; reason: "badOrigin"; origin: string };

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Checks a typed link: a full `https:` URL (`http:` on this machine only) on one of the shop's media origins. */
export function checkLink(text: string, media: ShopMedia | undefined): LinkCheck {
  const value = text.trim();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: "badUrl" };
  }
  const secure = url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
  if (!secure || value.length > MAX_URL_CHARS || url.username || url.password) return { ok: false, reason: "badUrl" };
  if (!media?.origins.includes(url.origin)) return { ok: false, reason: "badOrigin", origin: url.origin };
  return { ok: true, url: url.href };
}

/** The track's length, ms, read from its metadata; rejects when it cannot be read as audio. */
export function measureDuration(url: string, timeoutMs = MEASURE_TIMEOUT_MS): Promise<number> {
  return new Promise((resolve, reject) => {
    const audio = new Audio();
    const done = (settle: () => void) => {
      clearTimeout(timer);
      audio.onloadedmetadata = null;
      audio.onerror = null;
      audio.removeAttribute("src");
      audio.load();
      settle();
    };
    const timer = setTimeout(() => done(() => reject(new Error("timeout"))), timeoutMs);
    audio.preload = "metadata";
    audio.onloadedmetadata = () => {
      const ms = Math.round(audio.duration * 1000);
      done(() => (Number.isFinite(ms) && ms >= 1 && ms <= MAX_TRACK_MS ? resolve(ms) : reject(new Error("length"))));
    };
    audio.onerror = () => done(() => reject(new Error("unreadable")));
    audio.src = url;
  });
}
