// Parses Glance's user_storage_quota grammar ("<digits>[B|KB|MB|GB|TB]", 1024-based) for the byte quotas.

const FACTORS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/**
 * Bytes for "10GB", "512MB", "1048576" (no unit = bytes, as in Glance; units are binary and upper-case, no
 * space). Glance silently switches the quota off on a value it cannot parse; we return null so the config
 * can fail loudly instead.
 */
export function parseByteSize(raw: string): number | null {
  const m = /^(\d+)((?:K|M|G|T)?B)?$/.exec(raw.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * FACTORS[m[2] ?? "B"]!;
  return Number.isSafeInteger(bytes) ? bytes : null;
}
