/**
 * Keeping untrusted text (names, file names) from rearranging the text around
 * it. A name with a right-to-left override (U+202E) or right-to-left letters,
 * dropped into a sentence such as "{name} and {other} are online", would
 * otherwise reverse or move the rest of the sentence. Interpolated values are
 * wrapped in FIRST STRONG ISOLATE (U+2068) ... POP DIRECTIONAL ISOLATE
 * (U+2069), and the explicit bidi controls inside them are dropped (a stray
 * PDI in a name would close the isolate early). Elements that hold a name on
 * its own use `dir="auto"` (or `<bdi>`), which isolates them the same way.
 */

const RTL_LANGUAGES = new Set(["ar", "he", "fa", "ur", "ps", "sd", "yi", "ug", "dv", "ku"]);

/** Whether `locale` (BCP 47) is written right to left (Arabic, Hebrew, Persian, Urdu...). */
export function isRtlLocale(locale: string): boolean {
  return RTL_LANGUAGES.has((locale || "en").toLowerCase().split(/[-_]/)[0] ?? "en");
}

/** Explicit bidi formatting characters: embeddings, overrides, isolates, and the LRM, RLM and ALM marks. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko and the other RTL blocks). */
const RTL = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFC\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u;

/** `text` without explicit bidi controls (names never need them; the gateway refuses them in display names). */
export function stripBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, "");
}

/**
 * `value` ready to sit inside a sentence: numbers as they are; text without bidi controls, and
 * wrapped in FSI/PDI when it could reorder its neighbours (it held a bidi control or holds
 * right-to-left letters) or when the sentence is right-to-left (`rtl`). Plain left-to-right text
 * in a left-to-right sentence cannot move anything, so it stays as it is.
 */
export function isolate(value: string | number, rtl = false): string {
  if (typeof value === "number") return String(value);
  const plain = stripBidiControls(value);
  return rtl || plain !== value || RTL.test(plain) ? `\u2068${plain}\u2069` : plain;
}

/** `template` with each `{param}` replaced by its {@link isolate}d value; unknown placeholders stay. */
export function fillIsolated(
  template: string,
  params: Readonly<Record<string, string | number>> | undefined,
  rtl = false,
): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    return value === undefined ? whole : isolate(value, rtl);
  });
}
