// bench:ops: wraps a Worker env so every D1 statement (with the rows it read and wrote) and every R2 call is counted.
// R2 calls are grouped as Cloudflare bills them (Class A: writes and lists, Class B: reads, free: deletes/aborts).

export interface Tally {
  d1: { statements: number; rowsRead: number; rowsWritten: number };
  r2: { classA: number; classB: number; free: number; calls: Record<string, number> };
  queueMessages: number;
}

export const emptyTally = (): Tally => ({
  d1: { statements: 0, rowsRead: 0, rowsWritten: 0 },
  r2: { classA: 0, classB: 0, free: 0, calls: {} },
  queueMessages: 0,
});

const R2_CLASS: Record<string, "classA" | "classB" | "free"> = {
  put: "classA",
  list: "classA",
  createMultipartUpload: "classA",
  uploadPart: "classA",
  complete: "classA",
  get: "classB",
  head: "classB",
  delete: "free",
  abort: "free",
};

type Meta = { rows_read?: number; rows_written?: number };

function addMeta(t: Tally, meta: Meta | undefined) {
  t.d1.statements += 1;
  t.d1.rowsRead += meta?.rows_read ?? 0;
  t.d1.rowsWritten += meta?.rows_written ?? 0;
}

/** Asked of a counting statement, it answers with the runtime's own statement (batch() needs those). */
const UNWRAP = Symbol("unwrap");

const isRead = (sql: string) => /^\s*(select|with)\b/i.test(sql);

/**
 * A prepared statement whose results carry D1's meta. first() and raw() return no meta, so a read is run once
 * more with all() to learn its rows_read (reads have no side effects), and a write is run with run() instead
 * and turned back into what raw()/first() return.
 */
function countStatement(stmt: D1PreparedStatement, sql: string, t: Tally): D1PreparedStatement {
  return new Proxy(stmt, {
    get(target, prop) {
      if (prop === UNWRAP) return target;
      if (prop === "bind") return (...values: unknown[]) => countStatement(target.bind(...values), sql, t);
      if (prop === "all" || prop === "run")
        return async () => {
          const res = await target[prop]();
          addMeta(t, res.meta);
          return res;
        };
      if (prop === "raw" || prop === "first")
        return async (arg?: unknown) => {
          if (isRead(sql)) {
            addMeta(t, (await target.all()).meta);
            // biome-ignore lint/suspicious/noExplicitAny: forwarding the two overloads as they were called
            return (target as any)[prop](arg);
          }
          const res = await target.run<Record<string, unknown>>();
          addMeta(t, res.meta);
          const rows = res.results ?? [];
          if (prop === "first") return typeof arg === "string" ? (rows[0]?.[arg] ?? null) : (rows[0] ?? null);
          return rows.map((r) => Object.values(r));
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function countD1(db: D1Database, t: Tally): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => countStatement(target.prepare(sql), sql, t);
      if (prop === "batch")
        return async (stmts: D1PreparedStatement[]) => {
          const results = await target.batch(stmts.map(unwrap));
          for (const r of results) addMeta(t, r.meta);
          return results;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

function unwrap(s: D1PreparedStatement): D1PreparedStatement {
  // biome-ignore lint/suspicious/noExplicitAny: the proxy answers UNWRAP with its target
  return ((s as any)[UNWRAP] as D1PreparedStatement | undefined) ?? s;
}

function tallyR2(t: Tally, op: string) {
  t.r2.calls[op] = (t.r2.calls[op] ?? 0) + 1;
  const cls = R2_CLASS[op];
  if (cls) t.r2[cls] += 1;
}

function countUpload(up: R2MultipartUpload, t: Tally): R2MultipartUpload {
  return new Proxy(up, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "uploadPart" || prop === "complete" || prop === "abort")
        return (...args: unknown[]) => {
          tallyR2(t, prop);
          return value.apply(target, args);
        };
      return value.bind(target);
    },
  });
}

function countR2(bucket: R2Bucket, t: Tally): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "createMultipartUpload")
        return async (...args: unknown[]) => {
          tallyR2(t, prop);
          return countUpload(await value.apply(target, args), t);
        };
      // Resuming is local bookkeeping: no request to R2 until a part is sent.
      if (prop === "resumeMultipartUpload") return (...args: unknown[]) => countUpload(value.apply(target, args), t);
      if (typeof prop === "string" && prop in R2_CLASS)
        return (...args: unknown[]) => {
          tallyR2(t, prop);
          return value.apply(target, args);
        };
      return value.bind(target);
    },
  });
}

const isD1 = (v: unknown): v is D1Database =>
  typeof v === "object" && v !== null && "prepare" in v && "batch" in v && "exec" in v;
const isR2 = (v: unknown): v is R2Bucket =>
  typeof v === "object" && v !== null && "createMultipartUpload" in v && "head" in v;

/**
 * The env with every D1 and R2 binding counted into `tally()`, and the import queue replaced by a list the bench
 * delivers from by hand (so the consumer's operations are counted too).
 */
export function countingEnv<E extends object>(env: E) {
  const t = emptyTally();
  const sent: { taskId: string }[] = [];
  const wrapped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(env)) wrapped[k] = isD1(v) ? countD1(v, t) : isR2(v) ? countR2(v, t) : v;
  wrapped.IMPORT_QUEUE = {
    send: async (m: { taskId: string }) => {
      t.queueMessages += 1;
      sent.push(m);
    },
  };
  return {
    env: wrapped as E,
    sent,
    /** What was counted since the last call; counting starts again from zero. */
    take(): Tally {
      const out = structuredClone(t);
      Object.assign(t, emptyTally());
      return out;
    },
  };
}
