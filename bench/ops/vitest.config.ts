// bench:ops runs inside workerd like the tests, but with wrangler.toml's own settings (part size, single-put limit).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "../..");

export default defineConfig(async () => {
  execFileSync(process.execPath, [path.join(root, "scripts/console-build.mjs"), "--quiet"], { stdio: "inherit" });
  return {
    plugins: [
      cloudflareTest({
        main: path.join(root, "src/index.ts"),
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
            AUTH_TOKENS: readFileSync(path.join(root, "dev-tokens.json"), "utf8"),
          },
        },
      }),
    ],
    test: { root, include: ["bench/ops/*.ops.ts"], testTimeout: 600_000 },
  };
});
