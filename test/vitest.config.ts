// vitest inside workerd: the Worker from wrangler.toml (console built first), migrations applied per test file, dev
// tokens as AUTH_TOKENS, and the disk-image fixtures as one data blob (workerd has no file system to read them from).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "..");

/** test/fixtures/image-formats/* concatenated in manifest order (test/helpers/format-fixtures.ts slices it). */
function formatFixtures(): Uint8Array<ArrayBuffer> {
  const dir = path.join(root, "test/fixtures/image-formats");
  const manifest = JSON.parse(readFileSync(path.join(dir, "manifest.json"), "utf8")) as {
    fixtures: { file: string; bytes: number }[];
  };
  const files = manifest.fixtures.map((f) => {
    const data = readFileSync(path.join(dir, f.file));
    if (data.length !== f.bytes) throw new Error(`${f.file}: ${data.length} bytes, the manifest says ${f.bytes}`);
    return data;
  });
  const blob = new Uint8Array(files.reduce((n, d) => n + d.length, 0));
  let at = 0;
  for (const d of files) {
    blob.set(d, at);
    at += d.length;
  }
  return blob;
}

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist, and the console tests read the built files.
  execFileSync(process.execPath, [path.join(root, "scripts/console-build.mjs"), "--quiet"], { stdio: "inherit" });
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        main: path.join(root, "src/index.ts"),
        wrangler: { configPath: path.join(root, "wrangler.toml") },
        miniflare: {
          dataBlobBindings: { FORMAT_FIXTURES: formatFixtures() },
          // Further buckets for the several-stores tests (test/helpers/stores.ts names them in STORES).
          r2Buckets: ["STORE_SLOW", "STORE_EU", "STORE_RO"],
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
      // Some tests move tens of MiB through the local R2 (multi-chunk stages read back by the import); on a
      // loaded 2-core machine they took 5-6 s, past vitest's 5 s default. No test asserts a duration with it.
      testTimeout: 30_000,
    },
  };
});
