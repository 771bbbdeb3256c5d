import { describe, expect, it } from "vitest";
import { isTeamKind, isTeamRole, MemberRoles, PrincipalKinds, TeamKinds } from "./models.js";

describe("team kinds", () => {
  it("are the agents and bots, and nothing else", () => {
    expect(PrincipalKinds.filter(isTeamKind)).toEqual(["agent", "bot"]);
    expect([...TeamKinds]).toEqual(["agent", "bot"]);
    expect(isTeamKind("admin")).toBe(false);
  });

  it("name the member roles of the team: owners and invited members are not on it", () => {
    expect(MemberRoles.filter(isTeamRole)).toEqual(["agent", "bot"]);
  });
});
