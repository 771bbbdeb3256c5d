// Writes the gateway's OpenAPI document to docs/openapi.json (`npm run openapi`), made from the
// route table (gateway/src/openapi/routes.ts) and its zod schemas. `--check` writes nothing and
// fails when the file differs, as gateway/src/openapi/document.test.ts does.
import { readFile, writeFile } from "node:fs/promises";
import { openApiText } from "@parley/gateway";

const file = new URL("../docs/openapi.json", import.meta.url);
const text = openApiText();
if (process.argv.includes("--check")) {
  const committed = await readFile(file, "utf8").catch(() => "");
  if (committed !== text) {
    console.error("docs/openapi.json is stale: run npm run openapi");
    process.exit(1);
  }
  console.log("docs/openapi.json is up to date");
} else {
  await writeFile(file, text);
  console.log(`wrote docs/openapi.json (${text.length} bytes)`);
}
