import { readFile } from "node:fs/promises";
import { ErrorCodes, RPC_OPS, rpcRequestSchemas, sessionRequestSchema } from "@parley/sdk/protocol";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { OpenApiConformance } from "../../test/harness/openapi-conformance.js";
import { agentInputSchema, shopInputSchema } from "../service/shop-admin.js";
import { openApiDocument, openApiPath, openApiText } from "./document.js";
import { errorCodesOf, routes } from "./routes.js";

const doc = openApiDocument();
const conformance = new OpenApiConformance(doc);

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("is what docs/openapi.json holds (npm run openapi writes it)", async () => {
    const committed = await readFile(new URL("../../../docs/openapi.json", import.meta.url), "utf8");
    expect(committed === openApiText(), "docs/openapi.json is stale: run npm run openapi").toBe(true);
  });

  it("has every route of the table once, and every RPC op at its own path", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
    const rpcPaths = Object.keys(doc.paths).filter((p) => p.startsWith("/v1/rpc/"));
    expect(rpcPaths.sort()).toEqual(RPC_OPS.map((op) => `/v1/rpc/${op}`).sort());
  });

  it("documents each error code a route sends under the code's own status", () => {
    for (const route of routes) {
      const op = conformance.operation(route.method, openApiPath(route.path));
      for (const code of errorCodesOf(route)) {
        const status = ErrorCodes[code].status;
        const body = { error: { code, message: "m" } };
        expect(conformance.answerProblems(route.method, openApiPath(route.path), status, body), code).toEqual([]);
      }
      expect(op.security).toEqual(route.auth === "none" ? [] : [{ [route.auth]: [] }]);
    }
    // A code the route does not send, or one of another status, does not pass.
    const wrong = { error: { code: "guests_disabled", message: "m" } };
    expect(conformance.answerProblems("post", "/v1/session/refresh", 403, wrong)).not.toEqual([]);
    expect(conformance.answerProblems("post", "/v1/session", 400, wrong)).not.toEqual([]);
  });

  it("reads request bodies as the zod schemas do: what they accept passes, unknown keys and bad ids do not", () => {
    const cases: Array<[string, string, unknown]> = [
      ["post", "/v1/session", { shopId: "acme", guest: true, displayName: "Visitor" }],
      ["post", "/v1/session", { shopId: "acme", token: "t", $gt: "" }],
      ["post", "/v1/session", { shopId: "a b", token: "t" }],
      ["post", "/v1/rpc/msg.history", { convId: "cv_1", limit: 10 }],
      ["post", "/v1/rpc/msg.history", { convId: "cv_1", limit: 101 }],
      ["post", "/v1/rpc/conv.open", {}],
      ["post", "/v1/rpc/conv.open", { extra: 1 }],
      ["put", "/v1/admin/shops/{shopId}", { name: "Acme", tokenKey: { alg: "HS256", secret: "s".repeat(32) } }],
      ["put", "/v1/admin/shops/{shopId}", { name: "Acme", tokenKey: { alg: "HS256", secret: "short" } }],
      ["post", "/v1/admin/shops/{shopId}/agents", { login: "ada", password: "0123456789", displayName: "Ada" }],
      ["post", "/v1/admin/shops/{shopId}/agents", { login: "ada", password: "0123456789" }],
    ];
    const zodOf = (method: string, path: string) => {
      if (path === "/v1/session") return sessionRequestSchema;
      if (path.startsWith("/v1/rpc/")) return rpcRequestSchemas[path.slice(8) as keyof typeof rpcRequestSchemas];
      return method === "put" ? shopInputSchema : agentInputSchema;
    };
    for (const [method, path, body] of cases) {
      const zodAccepts = zodOf(method, path).safeParse(body).success;
      expect(conformance.requestProblems(method, path, body).length === 0, `${path} ${JSON.stringify(body)}`).toBe(
        zodAccepts,
      );
    }
    expect(cases.filter(([m, p, b]) => zodOf(m, p).safeParse(b).success)).toHaveLength(5);
  });
});
