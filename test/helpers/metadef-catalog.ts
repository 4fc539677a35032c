// Loads metadef files into the test D1 with the SQL `npm run metadefs:load` generates (one batch, as local D1 runs it).
import { env } from "cloudflare:workers";
import { catalogSql } from "../../scripts/metadefs/catalog-sql.mjs";
import compute from "../fixtures/metadefs-catalog/example-compute.json";
import priv from "../fixtures/metadefs-catalog/example-private.json";

export const EXAMPLE_FILES = [
  { name: "example-compute.json", doc: compute as unknown },
  { name: "example-private.json", doc: priv as unknown },
];

export type LoadMode = "skip" | "merge" | "prefer_new" | "overwrite";

export async function loadCatalog(files = EXAMPLE_FILES, mode: LoadMode = "skip", stamp = Date.now()) {
  const out = catalogSql(files, mode, stamp);
  if (out.statements.length > 0) await env.DB.batch(out.statements.map((s: string) => env.DB.prepare(s)));
  return out;
}
