/**
 * Splits message text into plain runs and links for Lit templates. Only
 * `https:` and `mailto:` URLs become links; everything else (`javascript:`,
 * `data:`, `http:`) stays text. The caller renders the runs with text bindings,
 * so no markup in a message is ever parsed.
 */

/** A piece of message text: plain, or a link with its checked `href`. */
export type TextRun =
  | {
      /** Plain text. */
      text: string;
    }
  | {
      /** The link's text, as written. */
      text: string;
      /** The URL to open: `https:` or `mailto:` only. */
      href: string;
    };

const CANDIDATE = /\b(?:https:\/\/[^\s<>"'`]+|mailto:[^\s<>"'`]+)/gi;
/** Punctuation that usually ends a sentence rather than the URL. */
const TRAILING = /[.,;:!?)\]}]+$/;

/** The URL in `candidate` when it is an `https:` URL with a host or a `mailto:` address; otherwise `undefined`. */
export function safeHref(candidate: string): string | undefined {
  try {
    const url = new URL(candidate);
    if (url.protocol === "https:" && url.hostname) return url.href;
    if (url.protocol === "mailto:" && url.pathname.includes("@")) return url.href;
  } catch {
    // not a URL
  }
  return undefined;
}

/** Splits `text` into plain runs and links. */
export function linkify(text: string): TextRun[] {
  const runs: TextRun[] = [];
  let last = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const raw = match[0].replace(TRAILING, "");
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) runs.push({ text: text.slice(last, start) });
    runs.push({ text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) runs.push({ text: text.slice(last) });
  return runs;
}
