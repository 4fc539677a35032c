// Browser checks: create with the format detected, a 30 MB chunked upload with percent/MB/s/ETA, pause and
// resume, a reload in the middle and resume at the server's count, hashes equal to the file's, download.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { assert, assertEqual, until } from "./harness.mjs";
import { client, makeImageFile, signInWithToken, throttleUpload } from "./lib.mjs";

const MIB = 1024 * 1024;

export async function uploadChecks({ url, browser, run, tag, shared }) {
  const api = client(url, "demo-token");
  // Plain random bytes: the service now refuses data that does not match its disk_format (a bare qcow2 magic).
  const file = makeImageFile(30 * MIB);
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
        async () => (await page.getByTestId("detected-format").textContent()).includes("raw"),
        "the detected format",
      );
      assertEqual(await page.getByLabel("Disk format").inputValue(), "raw", "pre-selected disk format");
    },
    page,
  );

  await run.check(
    "upload: a 30 MB file goes up in chunks (several at once when the server offers it) with percent, MB/s and ETA",
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
      const bar = page.getByRole("progressbar", { name: "Upload progress" });
      await until(async () => Number(await bar.getAttribute("aria-valuenow")) > 0, "the bar moving");
      // A server that takes chunks out of order says so in GET /stage; then the page sends several at once.
      const { parallel } = (await stageOf()) ?? {};
      if (parallel > 1) {
        const lanes = `${Math.min(6, parallel)} in parallel`;
        await until(async () => (await page.locator(".upload-file").textContent()).includes(lanes), lanes);
      }
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
      const resumed = await until(() => page.getByTestId("resumed-with").textContent(), "the resume line");
      assert(resumed.includes(`Resumed: ${held} bytes`), `resumed line "${resumed}" does not say ${held} bytes`);
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
        ["active", file.size, file.md5, file.sha512, "raw"],
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
