// Browser checks: the images list (filters, sort, paging, row menu, self-refresh) and the create + 30 MB
// chunked upload with progress, pause/resume, a reload in the middle, and hashes equal to the file's.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { assert, assertEqual, columnTexts, until } from "./harness.mjs";
import { client, makeImageFile, QCOW2_MAGIC, signInWithToken, throttleUpload } from "./lib.mjs";

const MIB = 1024 * 1024;

export async function listChecks({ url, browser, run, tag }) {
  const api = client(url, "demo-token");
  const names = ["delta", "alpha", "golf", "charlie", "echo", "bravo", "foxtrot"].map((n) => `${tag}-${n}`);
  for (const [i, name] of names.entries()) {
    const tags = i % 2 === 0 ? [tag, `${tag}-even`] : [tag];
    const r = await api("POST", "/v2/images", {
      json: { name, tags, disk_format: i % 2 ? "raw" : "qcow2", container_format: "bare" },
    });
    if (r.status !== 201) throw new Error(`seeding ${name}: ${r.status} ${r.text}`);
    if (i < 2)
      await api("PUT", `/v2/images/${r.data.id}/file`, {
        body: Buffer.alloc(1024 + i),
        headers: { "Content-Type": "application/octet-stream" },
      });
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  const goList = async (query) => {
    await page.evaluate((q) => (location.hash = `#/images?${q}`), new URLSearchParams(query).toString());
    await until(async () => !(await page.locator(".spinner[aria-label='Loading images']").count()), "the list");
    await page.waitForTimeout(300);
  };

  await run.check(
    "list: filter by tag from the filter form",
    async () => {
      await signInWithToken(page, url, "demo-token");
      await page.getByLabel("Tag").fill(tag);
      await page.getByRole("button", { name: "Filter" }).click();
      await until(async () => (await columnTexts(page, "Name")).length === 7, "7 rows");
      await page.getByLabel("Tag").fill(`${tag}-even`);
      await page.getByLabel("Tag").press("Enter");
      await until(async () => (await columnTexts(page, "Name")).length === 4, "4 rows with the even tag");
    },
    page,
  );

  await run.check(
    "list: sort by name, both directions, by clicking the column header",
    async () => {
      await goList({ tag });
      await page.getByRole("button", { name: "Name", exact: true }).click();
      await until(
        async () => JSON.stringify(await columnTexts(page, "Name")) === JSON.stringify([...names].sort()),
        "ascending names",
      );
      assertEqual(
        await page
          .locator("th", { has: page.getByRole("button", { name: "Name", exact: true }) })
          .getAttribute("aria-sort"),
        "ascending",
        "aria-sort",
      );
      await page.getByRole("button", { name: "Name", exact: true }).click();
      await until(
        async () => JSON.stringify(await columnTexts(page, "Name")) === JSON.stringify([...names].sort().reverse()),
        "descending names",
      );
    },
    page,
  );

  await run.check(
    "list: pages through the API's next links, and back",
    async () => {
      await goList({ tag, sort: "name:asc", limit: "5" });
      assertEqual(await columnTexts(page, "Name"), [...names].sort().slice(0, 5), "page 1");
      await page.getByRole("button", { name: "Next" }).click();
      await until(
        async () => JSON.stringify(await columnTexts(page, "Name")) === JSON.stringify([...names].sort().slice(5)),
        "page 2",
      );
      assert((await page.locator(".pager").textContent()).includes("Page 2"), "page number");
      assert(await page.getByRole("button", { name: "Next" }).isDisabled(), "Next is enabled on the last page");
      await page.getByRole("button", { name: "Previous" }).click();
      await until(
        async () => JSON.stringify(await columnTexts(page, "Name")) === JSON.stringify([...names].sort().slice(0, 5)),
        "page 1 again",
      );
    },
    page,
  );

  await run.check(
    "list: filter by exact name and by status",
    async () => {
      await goList({ tag, name: `${tag}-charlie` });
      assertEqual(await columnTexts(page, "Name"), [`${tag}-charlie`], "name filter");
      await page.getByLabel("Status").selectOption("active");
      await until(async () => (await columnTexts(page, "Name")).length === 0, "no active charlie");
      await goList({ tag, status: "active", sort: "name:asc" });
      assertEqual(await columnTexts(page, "Name"), [names[1], names[0]].sort(), "active images");
      assertEqual(await columnTexts(page, "Size"), ["1.00 KiB", "1.00 KiB"], "human sizes");
    },
    page,
  );

  await run.check(
    "list: the row menu works with the keyboard (arrows, Escape gives focus back)",
    async () => {
      await goList({ tag, sort: "name:asc" });
      const button = page.getByRole("button", { name: `Actions for ${[...names].sort()[0]}` });
      await button.focus();
      await page.keyboard.press("ArrowDown");
      const menu = page.getByRole("menu");
      await menu.waitFor();
      assertEqual(await page.evaluate(() => document.activeElement?.textContent), "View details", "focused item");
      await page.keyboard.press("ArrowDown");
      assertEqual(
        await page.evaluate(() => document.activeElement?.getAttribute("role")),
        "menuitem",
        "focus stays in the menu",
      );
      await page.keyboard.press("Escape");
      assertEqual(await menu.count(), 0, "menu still open");
      assert(await button.evaluate((b) => b === document.activeElement), "focus did not return to the menu button");
      await button.press("Enter");
      await page.getByRole("menuitem", { name: "View details" }).press("Enter");
      await page.getByRole("heading", { name: "Overview" }).waitFor();
    },
    page,
  );

  await run.check(
    "list: an uploading image shows a spinner and the list refreshes by itself until active",
    async () => {
      const r = await api("POST", "/v2/images", {
        json: { name: `${tag}-busy`, tags: [`${tag}-busy`], disk_format: "raw", container_format: "bare" },
      });
      const id = r.data.id;
      const total = 6 * MIB;
      const chunk = (start, end) =>
        api("PUT", `/v2/images/${id}/stage`, {
          body: Buffer.alloc(end - start),
          headers: {
            "Content-Type": "application/octet-stream",
            "Content-Range": `bytes ${start}-${end - 1}/${total}`,
          },
        });
      assertEqual((await chunk(0, 5 * MIB)).status, 204, "first chunk");
      await goList({ tag: `${tag}-busy` });
      await until(
        async () => (await page.locator('.badge[data-status="uploading"] .spinner').count()) === 1,
        "a spinner on the uploading row",
      );
      assertEqual((await chunk(5 * MIB, total)).status, 204, "last chunk");
      assertEqual(
        (await api("POST", `/v2/images/${id}/import`, { json: { method: { name: "glance-direct" } } })).status,
        202,
        "import",
      );
      await until(
        async () => (await page.locator('.badge[data-status="active"]').count()) === 1,
        "the row turning active without a reload",
        20_000,
      );
    },
    page,
  );
  await context.close();
}

export async function uploadChecks({ url, browser, run, tag, shared }) {
  const api = client(url, "demo-token");
  const file = makeImageFile(30 * MIB, QCOW2_MAGIC);
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  const stageOf = async () => (await api("GET", `/v2/images/${shared.imageId}/stage`)).data ?? { received: 0 };
  const phase = () => page.getByTestId("upload-phase").textContent();

  await run.check(
    "create: the disk format is detected from the file's first bytes and pre-selected",
    async () => {
      await signInWithToken(page, url, "demo-token");
      await page.getByRole("link", { name: "Create", exact: true }).click();
      await page.setInputFiles("#image-file", file.path);
      await until(
        async () => (await page.getByTestId("detected-format").textContent()).includes("qcow2"),
        "the detected format",
      );
      assertEqual(await page.getByLabel("Disk format").inputValue(), "qcow2", "pre-selected disk format");
    },
    page,
  );

  await run.check(
    "upload: a 30 MB file goes up in chunks with percent, MB/s and ETA",
    async () => {
      await throttleUpload(cdp, 3 * MIB);
      await page.getByLabel("Name", { exact: true }).fill(`${tag}-upload`);
      await page.getByLabel("Chunk size").selectOption("5");
      await page.getByRole("button", { name: "Create and upload" }).click();
      await page.getByRole("heading", { name: "Image data" }).waitFor();
      shared.imageId = await page.locator("main[data-image-id]").getAttribute("data-image-id");
      await until(
        async () =>
          (await phase()) === "uploading" && parseFloat(await page.getByTestId("upload-percent").textContent()) > 0,
        "progress",
      );
      await until(
        async () => /\d+\.\d MB\/s · ETA /.test(await page.locator(".upload-stats").textContent()),
        "MB/s and ETA",
      );
      assert(
        Number(await page.getByRole("progressbar", { name: "Upload progress" }).getAttribute("aria-valuenow")) > 0,
        "the bar moves",
      );
    },
    page,
  );

  await run.check(
    "upload: pause stops sending, resume goes on from the server's count",
    async () => {
      await until(async () => (await stageOf()).received >= 5 * MIB, "the first chunk on the server", 30_000);
      await page.getByRole("button", { name: "Pause" }).click();
      await until(async () => (await phase()) === "paused", "paused");
      const held = (await stageOf()).received;
      await page.waitForTimeout(2500);
      assertEqual((await stageOf()).received, held, "bytes on the server while paused");
      await page.getByRole("button", { name: "Resume" }).click();
      await until(async () => (await stageOf()).received > held, "more bytes after resume", 30_000);
    },
    page,
  );

  await run.check(
    "upload: reload in the middle, pick the file again, it resumes where the server is",
    async () => {
      await until(async () => (await stageOf()).received >= 15 * MIB, "half of the file on the server", 30_000);
      await page.reload();
      await page.getByRole("heading", { name: "Image data" }).waitFor();
      // The reload cut the chunk on the wire; the server drops it, and nothing else is sending now.
      await page.waitForTimeout(500);
      const held = (await stageOf()).received;
      assert(held > 0 && held < file.size, `server holds ${held}`);
      const note = await until(() => page.locator(".start-upload .alert-info").textContent(), "the resume note");
      assert(note.includes("already holds") && note.includes("disk.qcow2"), `note: ${note}`);
      await page.getByRole("link", { name: "Images", exact: true }).first().click();
      await until(
        async () => (await page.getByText("did not finish").count()) > 0,
        "the unfinished-upload note on the list",
      );
      await page.getByRole("link", { name: "Open the image to resume it" }).click();
      await page.setInputFiles("#resume-file", file.path);
      await page.getByRole("button", { name: "Resume upload" }).click();
      const resumed = await until(() => page.getByTestId("resumed-at").textContent(), "the resume line");
      assert(resumed.includes(`byte ${held} `), `resumed line "${resumed}" does not say byte ${held}`);
      await throttleUpload(cdp, -1);
      await until(async () => ["done", "failed"].includes(await phase()), "the end of the upload", 90_000);
      assertEqual(await phase(), "done", "final phase");
    },
    page,
  );

  await run.check(
    "upload: size, MD5 and SHA-512 shown equal the file's, and the image's",
    async () => {
      assert((await page.getByTestId("local-md5").textContent()).includes(file.md5), "local MD5");
      assert((await page.getByTestId("local-sha512").textContent()).includes(file.sha512), "local SHA-512");
      for (const id of ["verify-size", "verify-md5", "verify-sha512"])
        assert((await page.getByTestId(id).textContent()).startsWith("✔"), id);
      await until(
        async () => (await page.getByTestId("image-checksum").textContent()).includes(file.md5),
        "the image's checksum",
      );
      assert((await page.getByTestId("image-sha512").textContent()).includes(file.sha512), "the image's SHA-512");
      const img = (await api("GET", `/v2/images/${shared.imageId}`)).data;
      assertEqual(
        [img.status, img.size, img.checksum, img.os_hash_value, img.disk_format],
        ["active", file.size, file.md5, file.sha512, "qcow2"],
        "image",
      );
    },
    page,
  );

  await run.check(
    "download returns the same bytes",
    async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download" }).click(),
      ]);
      const saved = await download.path();
      assertEqual(createHash("md5").update(readFileSync(saved)).digest("hex"), file.md5, "MD5 of the download");
    },
    page,
  );
  await context.close();
}
