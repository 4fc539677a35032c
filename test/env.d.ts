// Test-only bindings and the type of exports.default.
import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/config";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      /** Every file of test/fixtures/image-formats, concatenated (see test/helpers/format-fixtures.ts). */
      FORMAT_FIXTURES: ArrayBuffer;
      /** Further buckets of the several-stores tests (test/integration/stores.test.ts). */
      STORE_SLOW: R2Bucket;
      STORE_EU: R2Bucket;
      STORE_RO: R2Bucket;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
