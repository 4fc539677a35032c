// What a list request asks for, once parsed: scope, filters, sort order and page.
import type { MemberStatus, Visibility } from "./image";

export const SORT_KEYS = [
  "name",
  "status",
  "container_format",
  "disk_format",
  "size",
  "id",
  "created_at",
  "updated_at",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = "asc" | "desc";

/** Columns that accept Glance's `in:` / `eq:` value syntax. */
export type InFilterColumn = "name" | "id" | "status" | "container_format" | "disk_format";
export type RangeOp = "gt" | "gte" | "lt" | "lte" | "eq" | "neq";
/** Integer columns filtered by exact equality (tempest filters `size=<n>`). */
export type IntColumn = "size" | "virtual_size" | "min_ram" | "min_disk";

export interface ListQuery {
  limit: number;
  marker?: string;
  /**
   * The complete order: the requested keys (created_at when none), then the created_at and id tie-breakers
   * that `withTieBreakers` appends, so every order is total.
   */
  sort: { key: SortKey; dir: SortDir }[];
  visibility?: Visibility | "all";
  memberStatus: MemberStatus | "all";
  inFilters: { column: InFilterColumn; values: string[] }[];
  owner?: string;
  tags: string[];
  sizeMin?: number;
  sizeMax?: number;
  virtualSizeMin?: number;
  virtualSizeMax?: number;
  osHidden: boolean;
  protected?: boolean;
  checksum?: string;
  osHashAlgo?: string;
  osHashValue?: string;
  timeFilters: { column: "created_at" | "updated_at"; op: RangeOp; at: number }[];
  /** `value` null: the filter text is not an integer, so no image matches (Glance compares it to the column). */
  intFilters: { column: IntColumn; value: number | null }[];
  properties: { key: string; value: string }[];
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 1000;

/**
 * Glance appends created_at and id (in the default direction: `desc`, or the direction given when the request
 * names exactly one) so every order is total, which is what makes marker pagination stable.
 */
export function withTieBreakers(sort: ListQuery["sort"], defaultDir: SortDir): ListQuery["sort"] {
  const out = [...sort];
  for (const key of ["created_at", "id"] as const)
    if (!out.some((s) => s.key === key)) out.push({ key, dir: defaultDir });
  return out;
}
