import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asAttack } from "../attack-row.test-support.js";
import { ID_PATTERN } from "./ids.js";
import { parseApiSubject, principalPermissions, SubjectWildcards, subjects } from "./subjects.js";

const safeId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const unsafeId = fc
  .oneof(
    fc.string({ unit: "binary", maxLength: 80 }),
    fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
        fc.constantFrom(".", "*", ">", " ", "\t", "\r\n", "é", "😀", "\u0000", "\u00a0"),
        fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/),
      )
      .map(([a, bad, b]) => `${a}${bad}${b}`),
    fc.stringMatching(/^[A-Za-z0-9_-]{65,80}$/),
  )
  .filter((s) => !ID_PATTERN.test(s));

/** [name, builder, expected tokens with the id as "ID"] */
const builders = [
  ["api", (id: string) => subjects.api(id, "msg.send"), ["api", "ID", "msg", "send"]],
  ["apiPrefix", subjects.apiPrefix, ["api", "ID", ">"]],
  ["user", subjects.user, ["user", "ID", "ev"]],
  ["team", subjects.team, ["team", "ID", "ev"]],
  ["inboxPrefix", subjects.inboxPrefix, ["_INBOX_ID"]],
  ["inboxes", subjects.inboxes, ["_INBOX_ID", ">"]],
] as const;

describe("subjects", () => {
  for (const [name, build] of builders) {
    it(`${name} rejects every id that is not a subject-safe token`, (ctx) => {
      const row = asAttack(ctx, {
        area: "ids",
        attack: `ids with ., *, >, spaces or unicode into subjects.${name} (500 generated)`,
        expected: "rejected before any subject is built",
      });
      fc.assert(
        fc.property(unsafeId, (id) => {
          expect(() => build(id)).toThrow(TypeError);
        }),
        { numRuns: 500 },
      );
      row.observed("500 of 500 unsafe ids rejected");
    });
  }

  it.each(builders)("%s puts a safe id in verbatim without adding or splitting tokens", (_name, build, shape) => {
    fc.assert(
      fc.property(safeId, (id) => {
        expect(build(id).split(".")).toEqual(shape.map((t) => t.replace("ID", id)));
      }),
    );
  });

  it("builds the documented shapes", () => {
    expect(subjects.api("c_1", "msg.send")).toBe("api.c_1.msg.send");
    expect(subjects.apiPrefix("c_1")).toBe("api.c_1.>");
    expect(subjects.user("c_1")).toBe("user.c_1.ev");
    expect(subjects.team("s_1")).toBe("team.s_1.ev");
    expect(subjects.inboxPrefix("c_1")).toBe("_INBOX_c_1");
  });
});

describe("parseApiSubject", () => {
  it("round-trips every subject built by subjects.api", () => {
    const op = fc.array(safeId, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("."));
    fc.assert(
      fc.property(safeId, op, (principal, operation) => {
        expect(parseApiSubject(subjects.api(principal, operation))).toEqual({ principal, op: operation });
      }),
    );
  });

  it("returns undefined when the principal token is not subject-safe", () => {
    fc.assert(
      fc.property(
        unsafeId.filter((s) => !s.includes(".")),
        (principal) => {
          expect(parseApiSubject(`api.${principal}.msg.send`)).toBeUndefined();
        },
      ),
    );
  });

  it("returns undefined for anything that does not start with api.<principal>.<op>", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const parsed = parseApiSubject(s);
        if (parsed === undefined) return;
        expect(s.startsWith(`api.${parsed.principal}.`)).toBe(true);
        expect(ID_PATTERN.test(parsed.principal)).toBe(true);
        expect(s).toBe(`api.${parsed.principal}.${parsed.op}`);
      }),
    );
    for (const s of ["api", "api.c_1", "user.c_1.ev", "api..x", "API.c_1.x", "xapi.c_1.x"]) {
      expect(parseApiSubject(s)).toBeUndefined();
    }
  });
});

describe("principalPermissions", () => {
  it("allows a principal its own requests, events and inboxes, and the team subject only to the team", () => {
    expect(principalPermissions("c_1", "s_1", false)).toEqual({
      pub: ["api.c_1.>"],
      sub: ["user.c_1.ev", "_INBOX_c_1.>"],
    });
    expect(principalPermissions("a_1", "s_1", true)).toEqual({
      pub: ["api.a_1.>"],
      sub: ["user.a_1.ev", "_INBOX_a_1.>", "team.s_1.ev"],
    });
  });

  it("refuses an unsafe shop id even when the principal is not on the team", () => {
    expect(() => principalPermissions("c_1", "s.1", false)).toThrow(TypeError);
  });

  it("builds subjects that the shared wildcards cover", () => {
    /** NATS matching: `*` is one token, `>` one or more trailing tokens. */
    const covers = (wildcard: string, subject: string): boolean => {
      const w = wildcard.split(".");
      const t = subject.split(".");
      for (const [i, part] of w.entries()) {
        if (part === ">") return t.length > i;
        if (i >= t.length || (part !== "*" && part !== t[i])) return false;
      }
      return w.length === t.length;
    };
    const { pub, sub } = principalPermissions("a_1", "s_1", true);
    const request = subjects.api("a_1", "msg.send");
    expect(pub.map((p) => covers(p, request))).toEqual([true]);
    expect(covers(SubjectWildcards.api, request)).toBe(true);
    expect(covers(SubjectWildcards.apiRequests, request)).toBe(true);
    expect(covers(SubjectWildcards.userEvents, sub[0] ?? "")).toBe(true);
    expect(covers(sub[1] ?? "", `${subjects.inboxPrefix("a_1")}.abc.1`)).toBe(true);
    expect(covers(sub[1] ?? "", `${subjects.inboxPrefix("a_2")}.abc.1`)).toBe(false);
    expect(covers(SubjectWildcards.teamEvents, sub[2] ?? "")).toBe(true);
    expect(covers(SubjectWildcards.userEvents, sub[2] ?? "")).toBe(false);
  });
});
