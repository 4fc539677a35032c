// Runs once per test file (pool-workers isolates storage per file): creates the D1 schema.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
