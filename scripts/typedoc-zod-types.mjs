// A TypeDoc plugin for the API reference (typedoc.json): a zod schema's type is
// shown as its zod class (`ZodObject`, `ZodUnion`, ...) without its type
// arguments. TypeDoc would otherwise expand every nested shape of a schema into
// undocumented pseudo-properties that repeat the wire types the schema checks;
// those types (`Envelope`, `EpochCommit`, ...) are documented where they are
// declared, and each schema's comment names the one it checks.
import { Converter, ReferenceType, ReflectionType } from "typedoc";

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const reflection of Object.values(project.reflections)) {
      if ("type" in reflection && reflection.type) collapse(project, reflection.type);
    }
  });
}

/** Drops the type arguments of zod references inside `type`, and the reflections they held. */
function collapse(project, type) {
  if (type instanceof ReferenceType && type.package === "zod" && type.typeArguments) {
    for (const arg of type.typeArguments) forget(project, arg);
    type.typeArguments = undefined;
    return;
  }
  if (type instanceof ReflectionType) {
    for (const child of type.declaration.children ?? []) if (child.type) collapse(project, child.type);
    return;
  }
  for (const inner of innerTypes(type)) collapse(project, inner);
}

/** Removes the reflections declared inside a type that is no longer shown. */
function forget(project, type) {
  if (type instanceof ReflectionType) {
    project.removeReflection(type.declaration);
    return;
  }
  for (const inner of innerTypes(type)) forget(project, inner);
}

/** The types directly inside a union, intersection, array, tuple, type operator or reference. */
function innerTypes(type) {
  const found = [];
  for (const key of ["types", "elementType", "typeArguments", "target", "elements"]) {
    const inner = type[key];
    for (const t of Array.isArray(inner) ? inner : [inner]) {
      if (t && typeof t === "object" && typeof t.type === "string") found.push(t);
    }
  }
  return found;
}
