#!/usr/bin/env node
// `npm run console:screenshots`: regenerates README's console screenshots (docs/console/*.png) against a
// wrangler dev of its own (CONSOLE_SHOTS_PORT, default 8825, fresh state), with images seeded through the API.
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { client, launchBrowser, makeImageFile, root, signInWithToken, startService, throttleUpload } from "./lib.mjs";

const MIB = 1024 * 1024;
const out = path.join(root, "docs/console");
mkdirSync(out, { recursive: true });

const svc = await startService({
  port: Number(process.env.CONSOLE_SHOTS_PORT ?? 8825),
  log: openSync(path.join(tmpdir(), "console-shots.log"), "w"),
});
const browser = await launchBrowser();
try {
  const demo = client(svc.url, "demo-token");
  const alt = client(svc.url, "alt-token");
  // Uploads are inspected: a qcow2 image gets a real qcow2 (a fixture, padded with zeros, which keeps it one).
  const qcow2 = readFileSync(path.join(root, "test/fixtures/image-formats/qcow2-v3.qcow2"));
  const dataFor = (format, bytes) => {
    const data = Buffer.alloc(bytes, format === "qcow2" ? 0 : 7);
    if (format === "qcow2") qcow2.copy(data);
    return data;
  };
  const seed = async (api, doc, bytes = 0) => {
    const img = (await api("POST", "/v2/images", { json: { container_format: "bare", ...doc } })).data;
    if (bytes) {
      const res = await api("PUT", `/v2/images/${img.id}/file`, {
        body: dataFor(doc.disk_format, bytes),
        headers: { "Content-Type": "application/octet-stream" },
      });
      if (res.status !== 204) throw new Error(`seeding ${doc.name}: HTTP ${res.status}`);
    }
    return img;
  };
  await seed(demo, { name: "Windows Server 2022 (eval)", disk_format: "vhdx", visibility: "private" });
  await seed(demo, { name: "Fedora CoreOS 40", disk_format: "qcow2", tags: ["coreos"] }, 7 * MIB + 123_456);
  const shown = await seed(
    demo,
    {
      name: "Debian 12 bookworm",
      disk_format: "qcow2",
      tags: ["debian", "lts"],
      os_distro: "debian",
      os_version: "12",
      hw_disk_bus: "virtio",
    },
    4 * MIB + 98_304,
  );
  await seed(
    demo,
    { name: "Ubuntu 24.04 LTS", disk_format: "qcow2", protected: true, tags: ["ubuntu"] },
    6 * MIB + 1_048,
  );
  await seed(demo, { name: "CirrOS 0.6.2", disk_format: "raw", visibility: "community", min_ram: 64 }, 3 * MIB);
  await demo("POST", `/v2/images/${shown.id}/members`, { json: { member: "alt-project" } });
  await alt("PUT", `/v2/images/${shown.id}/members/alt-project`, { json: { status: "accepted" } });
  const deact = await seed(demo, { name: "Rocky Linux 9", disk_format: "qcow2" }, 2 * MIB);
  await demo("POST", `/v2/images/${deact.id}/actions/deactivate`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: "light" });
  const page = await context.newPage();
  await signInWithToken(page, svc.url, "demo-token");
  await page.getByText("Debian 12 bookworm").waitFor();
  await page.screenshot({ path: path.join(out, "list.png") });

  await page.evaluate((h) => (location.hash = h), `#/images/${shown.id}`);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
  await page.locator('tr[data-member="alt-project"]').waitFor();
  await page.setViewportSize({ width: 1280, height: 1180 });
  await page.screenshot({ path: path.join(out, "detail.png") });

  const file = makeImageFile(96 * MIB, Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]));
  await page.setViewportSize({ width: 1280, height: 700 });
  const cdp = await context.newCDPSession(page);
  await throttleUpload(cdp, 6 * MIB);
  await page.evaluate(() => (location.hash = "#/create"));
  await page.setInputFiles("#image-file", file.path);
  await page.getByLabel("Name", { exact: true }).fill("Arch Linux cloud image");
  await page.getByLabel("Chunk size").selectOption("8");
  await page.getByRole("button", { name: "Create and upload" }).click();
  await page.waitForFunction(
    () => parseFloat(document.querySelector("[data-testid=upload-percent]")?.textContent ?? "0") >= 40,
    null,
    { timeout: 60_000 },
  );
  await page.screenshot({ path: path.join(out, "upload.png") });
  await page.getByRole("button", { name: "Pause" }).click();

  const phone = await browser.newContext({
    viewport: { width: 360, height: 720 },
    colorScheme: "dark",
    deviceScaleFactor: 1,
  });
  const small = await phone.newPage();
  await signInWithToken(small, svc.url, "demo-token");
  await small.getByText("Debian 12 bookworm").waitFor();
  await small.screenshot({ path: path.join(out, "list-360-dark.png") });
  console.log(`screenshots written to ${path.relative(root, out)}/: list.png detail.png upload.png list-360-dark.png`);
} finally {
  await browser.close();
  svc.stop();
}
