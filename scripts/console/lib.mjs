// Helpers for the browser suite and the screenshot script: a wrangler dev of our own, Debian's Chromium through
// playwright-core (never a downloaded browser), API calls with dev tokens, test files with known hashes.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const root = path.join(import.meta.dirname, "../..");

/** GUIDE.md's flags: no sandbox (root in CI), no GPU, no network of the browser's own. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const launchBrowser = () =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url, ms, child) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/versions`);
      if (res.status === 200) return;
    } catch {}
    await sleep(300);
  }
  throw new Error(`no answer from ${url} within ${ms / 1000}s`);
}

/**
 * `npm run dev` on its own port and state folder, in its own process group (stopped as a group, by id).
 * Extra args go to wrangler dev (e.g. --var AUTH_MODE:keystone).
 */
export async function startService({ port, args = [], log }) {
  const state = mkdtempSync(path.join(tmpdir(), "console-state-"));
  const child = spawn("bash", ["scripts/dev.sh", ...args], {
    cwd: root,
    env: { ...process.env, PORT: String(port), PERSIST_DIR: state },
    detached: true,
    stdio: ["ignore", log ?? "ignore", log ?? "ignore"],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  };
  try {
    await waitFor(url, 120_000, child);
  } catch (e) {
    stop();
    throw e;
  }
  return { url, stop };
}

/** A small Node process (our fake Keystone) in its own group. */
export function startProcess(cmd, args, log) {
  const child = spawn(cmd, args, { cwd: root, detached: true, stdio: ["ignore", log ?? "ignore", log ?? "ignore"] });
  return {
    child,
    stop() {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
    },
  };
}

export function client(url, token) {
  return async function api(method, p, { json, headers = {}, body } = {}) {
    const h = { "X-Auth-Token": token, Accept: "application/json", ...headers };
    if (json !== undefined) h["Content-Type"] ??= "application/json";
    const res = await fetch(`${url}${p}`, {
      method,
      headers: h,
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, data, text, headers: res.headers };
  };
}

/**
 * A file of `size` random bytes that starts with `magic` (so the page's format detection has something to
 * find), and its MD5/SHA-512 as the service should report them.
 */
export function makeImageFile(size, magic = Buffer.alloc(0)) {
  const dir = mkdtempSync(path.join(tmpdir(), "console-file-"));
  const file = path.join(dir, "disk.qcow2");
  const buf = randomBytes(size);
  magic.copy(buf, 0);
  writeFileSync(file, buf);
  return {
    path: file,
    size,
    md5: createHash("md5").update(buf).digest("hex"),
    sha512: createHash("sha512").update(buf).digest("hex"),
  };
}

export const QCOW2_MAGIC = Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);

/** Signs in on the console page with a static token. */
export async function signInWithToken(page, url, token) {
  await page.goto(`${url}/console/`);
  await page.getByLabel("Token", { exact: true }).fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Upload bandwidth of the page, through the DevTools protocol (-1 = unthrottled). */
export async function throttleUpload(cdp, bytesPerSecond) {
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}
