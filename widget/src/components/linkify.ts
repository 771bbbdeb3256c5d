/**
 * Splits message text into plain runs and links for Lit templates. Only
 * `https:` and `mailto:` URLs become links; everything else (`javascript:`,
 * `data:`, `http:`) stays text. The caller renders the runs with text bindings,
 * so no markup in a message is ever parsed.
 */

export type TextRun = { text: string } | { text: string; href: string };

const CANDIDATE = /\b(?:https:\/\/[^\s<>"'`]+|mailto:[^\s<>"'`]+)/gi;
/** Punctuation that usually ends a sentence rather than the URL. */
const TRAILING = /[.,;:!?)\]}]+$/;

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
