import { ConnectionLostError, ParleyError } from "@parley/sdk";
import { describe, expect, it } from "vitest";
import { inviteError, lookupError } from "./invite-error-text.js";
import { panelStrings } from "./members-strings.js";

describe("the invite confirmation's error words", () => {
  const en = panelStrings("en");
  const de = panelStrings("de-AT");

  it("says each gateway code in words, with the wait where there is one", () => {
    expect(inviteError(new ParleyError("unknown_handle"), "@zoe", en)).toBe("No one has the handle @zoe.");
    expect(inviteError(new ParleyError("already_member"), "@zoe", en)).toBe("@zoe is already in this conversation.");
    expect(inviteError(new ParleyError("rate_limited", undefined, { retryAfter: 42 }), "@zoe", en)).toBe(
      "Too many invites. Try again in 42 s.",
    );
    expect(inviteError(new ParleyError("invite_cooldown", undefined, { retryAfter: 5 * 3600 }), "@zoe", en)).toBe(
      "@zoe declined an invite from you recently. You can invite them again in 5 h.",
    );
    expect(inviteError(new ParleyError("invite_cooldown", undefined, { retryAfter: 90 }), "@zoe", de)).toBe(
      "@zoe hat vor Kurzem eine Einladung von Ihnen abgelehnt. Eine neue Einladung ist in 2 Min. möglich.",
    );
    expect(inviteError(new ParleyError("handle_invalid"), "@x", de)).toBe("@x ist kein gültiges Handle.");
    expect(inviteError(new ConnectionLostError(), "@zoe", en)).toBe(
      "You are offline. Try again when the connection is back.",
    );
    expect(inviteError(new Error("boom"), "@zoe", en)).toBe("The invite did not go through. Please try again.");
  });

  it("words a failed lookup for the composer, and leaves the rest to the dialog", () => {
    expect(lookupError(new ParleyError("unknown_handle"), "@nobody_here", en)).toBe(
      "Could not invite @nobody_here: no one has that handle.",
    );
    expect(lookupError(new ParleyError("unknown_handle"), "@niemand", de)).toBe(
      "@niemand konnte nicht eingeladen werden: Dieses Handle hat niemand.",
    );
    expect(lookupError(new ParleyError("rate_limited", undefined, { retryAfter: 30 }), "@zoe", en)).toBe(
      "Could not invite @zoe: too many lookups. Try again in 30 s.",
    );
    expect(lookupError(new ConnectionLostError(), "@zoe", en)).toBe("Could not invite @zoe: you are offline.");
    // A gateway without handle.lookup: no words, the dialog opens without the name.
    expect(lookupError(new ParleyError("not_found"), "@zoe", en)).toBeUndefined();
    expect(lookupError(new ParleyError("internal"), "@zoe", en)).toBeUndefined();
  });

  it("falls back to English for a locale without panel strings", () => {
    expect(panelStrings("fr").t("invite.history.7d")).toBe("Last 7 days");
    expect(panelStrings("de").t("invite.history.7d")).toBe("Letzte 7 Tage");
  });
});
