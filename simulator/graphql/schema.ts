/** The real Admin API schema (introspection from @shopify/dev-mcp), loaded once and cached. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildClientSchema, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export const SCHEMA_VERSION = "2026-10";
const here = dirname(fileURLToPath(import.meta.url));
let cached: GraphQLSchema | undefined;

export function adminSchema(): GraphQLSchema {
  if (!cached) {
    const file = join(here, "..", "schema", `admin_${SCHEMA_VERSION}.json.gz`);
    const json = JSON.parse(gunzipSync(readFileSync(file)).toString("utf8")) as {
      data: IntrospectionQuery;
    };
    cached = buildClientSchema(json.data, { assumeValid: true });
  }
  return cached;
}
