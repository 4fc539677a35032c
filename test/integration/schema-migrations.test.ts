// src/storage/d1/schema.ts mirrors the hand-written migrations: every Drizzle table and column exists in D1.

import { env } from "cloudflare:workers";
import { getTableColumns, getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/storage/d1/schema";

const tables = (Object.values(schema) as unknown[]).filter((t): t is SQLiteTable => is(t, SQLiteTable));

describe("schema.ts and migrations/", () => {
  it.each(tables.map((t) => [getTableName(t), t] as const))(
    "%s has exactly the columns Drizzle names",
    async (name, table) => {
      const { results } = await env.DB.prepare(`PRAGMA table_info(${name})`).all<{ name: string }>();
      const inDb = results.map((r) => r.name).sort();
      const inSchema = Object.values(getTableColumns(table))
        .map((c) => c.name)
        .sort();
      expect(inDb).toEqual(inSchema);
    },
  );
});
