// vitest inside workerd: the Worker from wrangler.toml, migrations applied per test file, dev tokens as AUTH_TOKENS.
import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "..");

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        main: path.join(root, "src/index.ts"),
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // Smallest part R2 allows, so multipart boundaries are cheap to cross in tests.
            UPLOAD_PART_SIZE: String(5 * 1024 * 1024),
            UPLOAD_SINGLE_PUT_MAX: String(5 * 1024 * 1024),
            // web-download tests serve their sources from this fake host (the global fetch is stubbed).
            IMPORT_ALLOW_HOSTS: "images.example.test",
            // The dev tokens plus test-only identities (consumers of shared images, a role-less user).
            AUTH_TOKENS: JSON.stringify({
              ...JSON.parse(readFileSync(path.join(root, "dev-tokens.json"), "utf8")),
              ...JSON.parse(readFileSync(path.join(root, "test/fixtures/test-tokens.json"), "utf8")),
            }),
          },
        },
      }),
    ],
    test: {
      root,
      include: ["test/**/*.test.ts"],
      setupFiles: ["./test/setup/apply-migrations.ts"],
    },
  };
});
