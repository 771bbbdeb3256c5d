import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldHandle, handleProblem, isHandle, normalizeHandle } from "./handles.js";
import { displayNameSchema } from "./schemas.js";

describe("handle normalisation", () => {
  it("folds full-width letters, case, a leading @ and surrounding spaces", () => {
    expect(normalizeHandle("ｍｉａ")).toBe("mia");
    expect(normalizeHandle("  @Mia_1 ")).toBe("mia_1");
    expect(normalizeHandle("ＭＩＡ")).toBe("mia");
    expect(normalizeHandle("ΟΔΥΣΣΕΑΣ")).toBe("οδυσσεας");
  });

  it("says why a typed handle is not one", () => {
    expect(handleProblem("ab")).toBe("too_short");
    expect(handleProblem("a".repeat(33))).toBe("too_long");
    expect(handleProblem("1mia")).toBe("first_char");
    expect(handleProblem("_mia")).toBe("first_char");
    expect(handleProblem("mi-a")).toBe("characters");
    expect(handleProblem("mi a")).toBe("characters");
    // Latin m and a around a Cyrillic і (U+0456).
    expect(handleProblem("m\u0456a")).toBe("mixed_scripts");
    expect(handleProblem("mia")).toBeUndefined();
  });

  it("takes letters, marks and digits of one script, and Han with the scripts it is written with", () => {
    for (const ok of ["ωμέγα", "мирон", "日本語", "ひらがな漢字", "한국어", "straße", "noah_2024", "i\u0307stanbul"]) {
      expect(handleProblem(ok), ok).toBeUndefined();
    }
    expect(handleProblem("ωmega")).toBe("mixed_scripts");
  });

  it("keeps every ASCII handle of the old format valid and unchanged", () => {
    const ascii = fc.stringMatching(/^[a-z][a-z0-9_]{2,31}$/);
    fc.assert(fc.property(ascii, (h) => normalizeHandle(h) === h && isHandle(h)));
  });

  it("is idempotent: a normalised handle normalises to itself", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (typed) => {
        const once = normalizeHandle(typed);
        return once === undefined || (normalizeHandle(once) === once && isHandle(once));
      }),
    );
  });

  it("answers the same for the upper-case, full-width and @-prefixed spellings of a handle", () => {
    const ascii = fc.stringMatching(/^[a-z][a-z0-9_]{2,31}$/);
    const fullWidth = (s: string) => [...s].map((c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)).join("");
    fc.assert(
      fc.property(ascii, (h) => {
        return foldHandle(`@${h.toUpperCase()}`) === h && foldHandle(fullWidth(h)) === h;
      }),
    );
  });
});

describe("display names", () => {
  it("refuse bidi controls, zero-width and other invisible characters, keep emoji", () => {
    for (const bad of [
      "Mia\u202Egnp.exe",
      "No\u200Bah",
      "Leo\u2066",
      "A\u00ADB",
      "x\uFEFFy",
      "\u3164Mia",
      "a\u061Cb",
    ]) {
      const issue = displayNameSchema.safeParse(bad).error?.issues[0];
      expect(issue && "params" in issue ? issue.params : undefined, JSON.stringify(bad)).toEqual({
        code: "display_name_invalid",
      });
    }
    expect(displayNameSchema.parse("Mia ❤️")).toBe("Mia ❤️");
    expect(displayNameSchema.parse("Zoë Ωμέγα")).toBe("Zoë Ωμέγα");
  });
});
