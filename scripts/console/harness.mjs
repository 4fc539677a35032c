// The browser suite's runner: named checks printing PASS/FAIL (a screenshot on failure), a closing
// "N passed, N failed" line, and small waiting helpers (playwright-core has no `expect`).
import { mkdirSync } from "node:fs";
import path from "node:path";

export function createRunner({ artifacts }) {
  let passed = 0;
  let failed = 0;
  const failures = [];
  mkdirSync(artifacts, { recursive: true });
  return {
    /** Runs one check; `page` (if given) is photographed when it fails. */
    async check(name, fn, page) {
      const t0 = Date.now();
      try {
        await fn();
        passed++;
        console.log(`PASS console: ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed++;
        failures.push(name);
        console.log(`FAIL console: ${name}: ${(e?.message ?? String(e)).split("\n")[0].slice(0, 400)}`);
        if (page && !page.isClosed()) {
          const file = path.join(artifacts, `${name.replace(/[^\w]+/g, "-").slice(0, 60)}.png`);
          await page.screenshot({ path: file, fullPage: true }).catch(() => {});
          console.log(`  screenshot: ${file}`);
        }
      }
    },
    summary() {
      if (failures.length) console.log(`console: failed checks: ${failures.join("; ")}`);
      console.log(`${passed} passed, ${failed} failed`);
      return failed === 0;
    },
  };
}

export function assert(cond, message) {
  if (!cond) throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Polls `fn` until it returns a truthy value (returned), or fails after `ms` with `what`. */
export async function until(fn, what, ms = 15_000, every = 200) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e?.message;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(
    `timed out after ${ms / 1000}s waiting for ${what}${last ? ` (last: ${String(last).slice(0, 200)})` : ""}`,
  );
}

/** The text of every cell of one column of the images table, in order. */
export const columnTexts = (page, label) =>
  page.$$eval(`table.images tbody td[data-label="${label}"]`, (tds) => tds.map((td) => td.textContent.trim()));
