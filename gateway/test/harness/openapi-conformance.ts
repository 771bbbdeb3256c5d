/**
 * Checks real requests and answers against the gateway's OpenAPI document with
 * ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1): the documented schema
 * of a route's JSON body or of its answer with a given status, `$ref`s into
 * the document's components resolved by ajv itself.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

type Json = Record<string, unknown>;

/** A JSON pointer segment inside a URI fragment. */
const segment = (s: string) => encodeURIComponent(s.replaceAll("~", "~0").replaceAll("/", "~1"));

export class OpenApiConformance {
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json & { paths: Record<string, Record<string, Json>>; components: Json }) {
    this.#ajv.addSchema(doc, "openapi");
  }

  /** The documented operation, or an error naming the missing route. */
  operation(method: string, path: string): Json {
    const op = this.doc.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`${method} ${path} is not in the OpenAPI document`);
    return op;
  }

  /** Why `body` is not the documented JSON body of the route (`[]`: it is). */
  requestProblems(method: string, path: string, body: unknown): string[] {
    const op = this.operation(method, path);
    if (!(op.requestBody as Json | undefined)) return [`${method} ${path} documents no body`];
    const pointer = `#/paths/${segment(path)}/${method.toLowerCase()}/requestBody/content/application~1json/schema`;
    return this.#problems(pointer, body);
  }

  /** Why `body` is not the documented JSON answer of the route with `status` (`[]`: it is). */
  answerProblems(method: string, path: string, status: number, body: unknown): string[] {
    const op = this.operation(method, path);
    const response = (op.responses as Record<string, Json>)[String(status)];
    if (!response) return [`${method} ${path} documents no ${status} answer`];
    const ref = typeof response.$ref === "string" ? response.$ref.slice("#/components/responses/".length) : undefined;
    const resolved = ref === undefined ? response : (this.doc.components.responses as Record<string, Json>)[ref];
    const json = (resolved?.content as Record<string, Json> | undefined)?.["application/json"];
    if (!json) return [`${method} ${path} documents no JSON ${status} answer`];
    if (!json.schema) return []; // any JSON (the document itself)
    const base =
      ref === undefined
        ? `#/paths/${segment(path)}/${method.toLowerCase()}/responses/${status}`
        : `#/components/responses/${segment(ref)}`;
    return this.#problems(`${base}/content/application~1json/schema`, body);
  }

  #problems(pointer: string, value: unknown): string[] {
    let validate = this.#compiled.get(pointer);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: `openapi${pointer}` });
      this.#compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
    );
  }
}
