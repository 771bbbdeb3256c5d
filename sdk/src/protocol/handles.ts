/**
 * Handles as people type them: Unicode-aware normalisation and the format
 * rules, small enough for the widget to explain them while someone types.
 *
 * A typed handle is folded ({@link foldHandle}): NFKC, surrounding spaces and
 * one leading `@` dropped, lower-cased, NFKC again (so full-width `ＭＩＡ`
 * becomes `mia`). The folded form is a handle when it is 3 to 32 code points
 * of letters, combining marks, decimal digits and `_`, starts with a letter,
 * and its letters, marks and digits belong to one script (digits and `_` of
 * the Common script, and Inherited marks, go with any; Han may mix with
 * Hiragana and Katakana, with Hangul, or with Bopomofo, as Japanese, Korean
 * and Chinese are written). Lookalikes across scripts (`mia` and `mіa` with a
 * Cyrillic `і`) are a separate, gateway-side check (UTS #39 skeletons).
 */
import { HANDLE_PATTERN } from "./ids.js";

/**
 * Why a typed string is not a handle, in the order they are checked:
 * `too_short` (under 3 code points once folded), `too_long` (over 32),
 * `first_char` (does not start with a letter), `characters` (something other
 * than letters, marks, digits and `_`), `mixed_scripts` (letters of more than
 * one script), `script` (a script handles do not support).
 */
export const HandleProblems = ["too_short", "too_long", "first_char", "characters", "mixed_scripts", "script"] as const;
/** One of {@link HandleProblems}. */
export type HandleProblem = (typeof HandleProblems)[number];

/** The scripts a handle may be written in (Unicode script names as `\p{Script=…}` spells them). */
const SCRIPTS = [
  "Latin",
  "Greek",
  "Cyrillic",
  "Armenian",
  "Hebrew",
  "Arabic",
  "Syriac",
  "Thaana",
  "Nko",
  "Devanagari",
  "Bengali",
  "Gurmukhi",
  "Gujarati",
  "Oriya",
  "Tamil",
  "Telugu",
  "Kannada",
  "Malayalam",
  "Sinhala",
  "Thai",
  "Lao",
  "Tibetan",
  "Myanmar",
  "Georgian",
  "Hangul",
  "Ethiopic",
  "Cherokee",
  "Canadian_Aboriginal",
  "Khmer",
  "Mongolian",
  "Hiragana",
  "Katakana",
  "Bopomofo",
  "Han",
  "Yi",
  "Tifinagh",
  "Javanese",
  "Balinese",
  "Sundanese",
  "Tai_Le",
  "New_Tai_Lue",
  "Tai_Tham",
  "Tai_Viet",
  "Ol_Chiki",
  "Vai",
  "Bamum",
  "Adlam",
  "Osage",
  "Lisu",
] as const;
const SCRIPT_RES = SCRIPTS.map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, "u")] as const);
/** Code points that go with any script: Common digits and `_`, Inherited (combining) marks. */
const ANY_SCRIPT = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
/** Han with the scripts it is written with; any other mix of scripts is refused. */
const SCRIPT_MIXES: readonly (readonly string[])[] = [
  ["Han", "Hiragana", "Katakana"],
  ["Han", "Hangul"],
  ["Han", "Bopomofo"],
];

/** Folds a typed handle to the form it is stored in, valid or not: NFKC, trimmed, one leading `@` dropped, lower-cased, NFKC. */
export function foldHandle(input: string): string {
  let s = input.normalize("NFKC").trim();
  if (s.startsWith("@")) s = s.slice(1);
  return s.toLowerCase().normalize("NFKC");
}

/** The script of `ch` from {@link SCRIPTS}: `""` when it goes with any, `undefined` when it is of no supported script. */
function scriptOf(ch: string): string | undefined {
  if (ANY_SCRIPT.test(ch)) return "";
  return SCRIPT_RES.find(([, re]) => re.test(ch))?.[0];
}

/**
 * Why `input` cannot be a handle once folded ({@link HandleProblems}), or
 * `undefined` when it can: what the widget shows as the format rules while
 * someone types. Availability (taken, reserved, confusable) is the gateway's
 * answer to `handle.check`.
 */
export function handleProblem(input: string): HandleProblem | undefined {
  const chars = [...foldHandle(input)];
  if (chars.length < 3) return "too_short";
  if (chars.length > 32) return "too_long";
  if (!/^\p{L}$/u.test(chars[0] ?? "")) return "first_char";
  if (!HANDLE_PATTERN.test(chars.join(""))) return "characters";
  const scripts = new Set<string>();
  for (const ch of chars) {
    const script = scriptOf(ch);
    if (script === undefined) return "script";
    if (script) scripts.add(script);
  }
  if (scripts.size > 1 && !SCRIPT_MIXES.some((mix) => [...scripts].every((s) => mix.includes(s)))) {
    return "mixed_scripts";
  }
  return undefined;
}

/** Normalises a typed `@handle` to its stored form ({@link foldHandle}), or returns undefined when it cannot be one. */
export function normalizeHandle(input: string): string | undefined {
  return handleProblem(input) === undefined ? foldHandle(input) : undefined;
}

/** Whether `value` is a handle in its stored form (valid and already folded). */
export function isHandle(value: string): boolean {
  return normalizeHandle(value) === value;
}
