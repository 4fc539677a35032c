// Browser checks: the images list (filter by tag, name and status, sort both ways, paging through next and
// back, the row menu by keyboard, a spinner on an uploading row that turns active by itself).
import { assert, assertEqual, columnTexts, until } from "./harness.mjs";
import { client, signInWithToken } from "./lib.mjs";

const MIB = 1024 * 1024;

export async function listChecks({ url, browser, run, tag }) {
  const api = client(url, "demo-token");
  const names = ["delta", "alpha", "golf", "charlie", "echo", "bravo", "foxtrot"].map((n) => `${tag}-${n}`);
  for (const [i, name] of names.entries()) {
    const tags = i % 2 === 0 ? [tag, `${tag}-even`] : [tag];
    const r = await api("POST", "/v2/images", {
      json: { name, tags, disk_format: "raw", container_format: "bare" },
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
      await page.getByLabel("Tag", { exact: true }).fill(tag);
      await page.getByRole("button", { name: "Filter" }).click();
      await until(async () => (await columnTexts(page, "Name")).length === 7, "7 rows");
      await page.getByLabel("Tag", { exact: true }).fill(`${tag}-even`);
      await page.getByLabel("Tag", { exact: true }).press("Enter");
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
      const focused = () => page.evaluate(() => document.activeElement?.textContent);
      // The menu moves focus to its first item once it has rendered.
      await until(async () => (await focused()) === "View details", "focus on the first item");
      await page.keyboard.press("ArrowDown");
      assertEqual(
        await page.evaluate(() => document.activeElement?.getAttribute("role")),
        "menuitem",
        "focus stays in the menu",
      );
      await page.keyboard.press("Escape");
      await until(async () => (await menu.count()) === 0, "the menu closing");
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
