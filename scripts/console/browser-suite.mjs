#!/usr/bin/env node
// The console's browser suite (`npm run test:console`, and a suite of scripts/e2e.sh): Debian's Chromium
// driven by playwright-core against wrangler dev. Uses $OS_IMAGE_URL when set (e2e.sh's service), else starts
// its own on CONSOLE_PORT (8823); the Keystone checks start a fake Keystone (CONSOLE_KS_PORT, 5082) and a
// Keystone-mode wrangler dev (CONSOLE_KS_SERVICE_PORT, 8824). Prints PASS/FAIL lines and "N passed, N failed".
import { openSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { listChecks } from "./checks-list.mjs";
import { editChecks, lifecycleChecks, shareChecks } from "./checks-manage.mjs";
import { keystoneChecks, layoutChecks, securityChecks } from "./checks-security.mjs";
import { uploadChecks } from "./checks-upload.mjs";
import { createRunner } from "./harness.mjs";
import { launchBrowser, startProcess, startService } from "./lib.mjs";

const artifacts = process.env.CONSOLE_ARTIFACTS ?? path.join(tmpdir(), "console-e2e");
const run = createRunner({ artifacts });
const cleanups = [];
const logFile = (name) => openSync(path.join(artifacts, name), "w");

async function main() {
  let url = process.env.OS_IMAGE_URL?.replace(/\/+$/, "");
  if (!url) {
    const svc = await startService({ port: Number(process.env.CONSOLE_PORT ?? 8823), log: logFile("service.log") });
    cleanups.push(svc.stop);
    url = svc.url;
  }
  console.log(`console: testing ${url}/console/ (artifacts in ${artifacts})`);
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  // A suffix of our own on names and tags: e2e.sh's service also holds the other suites' images.
  const ctx = { url, browser, run, tag: `c${Date.now().toString(36)}`, shared: {} };

  await securityChecks(ctx);
  await listChecks(ctx);
  await uploadChecks(ctx);
  await editChecks(ctx);
  await shareChecks(ctx);
  await layoutChecks(ctx);
  await lifecycleChecks(ctx);

  const ksPort = Number(process.env.CONSOLE_KS_PORT ?? 5082);
  const keystone = startProcess(
    process.execPath,
    ["scripts/console/fake-keystone.mjs", String(ksPort)],
    logFile("keystone.log"),
  );
  cleanups.push(keystone.stop);
  let ksService = null;
  try {
    ksService = await startService({
      port: Number(process.env.CONSOLE_KS_SERVICE_PORT ?? 8824),
      log: logFile("service-keystone.log"),
      args: [
        "--var",
        "AUTH_MODE:keystone",
        "--var",
        `KEYSTONE_URL:http://127.0.0.1:${ksPort}/v3`,
        "--var",
        "KEYSTONE_SERVICE_USER:glance",
        "--var",
        "KEYSTONE_SERVICE_PASSWORD:glance-pass",
        "--var",
        "KEYSTONE_SERVICE_PROJECT:service",
      ],
    });
    cleanups.push(ksService.stop);
  } catch (e) {
    console.log(`console: the Keystone-mode service did not start: ${e.message}`);
  }
  await keystoneChecks({ ...ctx, ksUrl: ksService?.url ?? null, keystoneUrl: `http://127.0.0.1:${ksPort}` });
}

let ok = false;
try {
  await main();
  ok = true;
} catch (e) {
  await run.check("the suite runs to its end", () => {
    throw e;
  });
}
for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
const allPassed = run.summary() && ok;
process.exit(allPassed ? 0 : 1);
