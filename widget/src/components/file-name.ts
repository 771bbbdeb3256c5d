/**
 * File names as the widget shows and saves them. A name comes from the sender,
 * inside the encrypted message, so it can try anything: a right-to-left
 * override that shows "invoice\u202Efdp.exe" as "invoiceexe.pdf", spaces that
 * push the real extension out of sight, path separators, control characters,
 * a device name Windows will not save ("CON"). `safeFileName` gives the one
 * name the bubble shows and the download is saved under, so what a person
 * sees is what lands on their disk, real extension last.
 */

/** Control, format (bidi, zero-width) and other invisible characters: dropped. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;
/** Path separators and the characters Windows refuses in names: each becomes `_`. */
const RESERVED_CHARS = /[/\\:*?"<>|]/g;
/** Names Windows keeps for devices, with or without an extension. */
const DEVICE_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
/** Longest name kept, in code points (file systems allow 255 bytes). */
const MAX_LENGTH = 120;

/** `name` made safe to show and to save: see the module comment. Never empty. */
export function safeFileName(name: string): string {
  let safe = name
    .normalize("NFC")
    .replace(INVISIBLE, "")
    .replace(RESERVED_CHARS, "_")
    .replace(/\s+/gu, " ")
    .trim()
    // Windows drops trailing dots and spaces; a leading dot hides the file on Unix.
    .replace(/[. ]+$/u, "")
    .replace(/^[. ]+/u, "");
  if (DEVICE_NAMES.test(safe)) safe = `_${safe}`;
  const chars = Array.from(safe);
  if (chars.length > MAX_LENGTH) {
    // Shortened in the middle: the extension is what says what the file is.
    const dot = safe.lastIndexOf(".");
    const ext = dot > 0 && safe.length - dot <= 16 ? Array.from(safe.slice(dot)) : [];
    safe = `${chars
      .slice(0, MAX_LENGTH - ext.length)
      .join("")
      .trimEnd()}${ext.join("")}`;
  }
  return safe || "download";
}
