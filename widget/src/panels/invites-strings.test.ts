// The invites panel's German strings: the member list names each person's part
// in gender-neutral words ("Mia (hat die Unterhaltung begonnen)", not the
// masculine "Ersteller" or "Mitarbeiter"), and every English key has a German one.
import { describe, expect, it } from "vitest";
import { translator } from "../i18n/index.js";
import { inviteStrings } from "./invites.strings.js";
import { panelTranslator } from "./panel-strings.js";

const member = (locale: string, role: "owner" | "member" | "agent" | "bot") => {
  const t = panelTranslator(inviteStrings, translator(locale));
  return t.t("member", { name: "Mia", role: t.t(`memberRole.${role}`) });
};

describe("invites strings", () => {
  it("name the person who started the conversation without a gendered noun (de)", () => {
    expect(member("de", "owner")).toBe("Mia (hat die Unterhaltung begonnen)");
    expect(member("en", "owner")).toBe("Mia (owner)");
  });

  it("name the shop's people as the team, not with a masculine noun (de)", () => {
    expect(member("de", "agent")).toBe("Mia (Team)");
    const t = panelTranslator(inviteStrings, translator("de"));
    expect(t.t("role.agent")).toBe("Aus dem Team des Shops");
  });

  it("have no masculine-only role nouns in German", () => {
    expect(Object.values(inviteStrings.de).join("\n")).not.toMatch(/Ersteller|Mitarbeiter/);
  });

  it("have a German string for every English key", () => {
    expect(Object.keys(inviteStrings.de).sort()).toEqual(Object.keys(inviteStrings.en).sort());
  });
});
