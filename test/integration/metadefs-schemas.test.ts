// /v2/schemas/metadefs/*: the ten documents exactly as Glance 25 serves them (recorded by record.sh).
import { describe, expect, it } from "vitest";
import recorded from "../fixtures/metadefs-glance/glance-schemas.json";
import { call } from "../helpers/api";

describe("metadefs schema documents", () => {
  for (const [name, doc] of Object.entries(recorded)) {
    it(`GET /v2/schemas/metadefs/${name} equals Glance's, key order included`, async () => {
      const res = await call("GET", `/v2/schemas/metadefs/${name}`);
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toBe(JSON.stringify(doc));
    });
  }
});
