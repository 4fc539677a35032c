// Browser checks on the uploaded image: edit attributes, properties and tags; share with alt-project and
// accept as alt; deactivate/reactivate; delete with confirmation (and Glance's refusal while protected).
import { assert, assertEqual, until } from "./harness.mjs";
import { client, signInWithToken } from "./lib.mjs";

const needImage = (shared) => assert(shared.imageId, "no image from the upload checks");

async function openImage(page, id) {
  await page.evaluate((h) => (location.hash = h), `#/images/${id}`);
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}

export async function editChecks({ url, browser, run, tag, shared }) {
  const api = client(url, "demo-token");
  const image = async () => (await api("GET", `/v2/images/${shared.imageId}`)).data;
  const context = await browser.newContext();
  const page = await context.newPage();

  await run.check(
    "properties: add, change and remove, each saved through PATCH",
    async () => {
      needImage(shared);
      await signInWithToken(page, url, "demo-token");
      await openImage(page, shared.imageId);
      await page.getByLabel("New property name").fill("os_distro");
      await page.getByLabel("New property value").fill("cirros");
      await page.getByRole("button", { name: "Add property" }).click();
      await until(async () => (await image()).os_distro === "cirros", "os_distro=cirros on the image");
      const value = page.getByLabel("Value of os_distro");
      await until(async () => (await value.inputValue()) === "cirros", "the new row");
      await value.fill("debian");
      await page.getByRole("button", { name: "Save os_distro" }).click();
      await until(async () => (await image()).os_distro === "debian", "os_distro=debian on the image");
      await page.getByRole("button", { name: "Remove os_distro" }).click();
      await until(async () => !("os_distro" in (await image())), "os_distro removed");
      await until(async () => (await page.locator('tr[data-property="os_distro"]').count()) === 0, "the row gone");
    },
    page,
  );

  await run.check(
    "tags: add two, remove one",
    async () => {
      needImage(shared);
      for (const t of ["browser", `${tag}-x`]) {
        await page.getByLabel("New tag").fill(t);
        await page.getByRole("button", { name: "Add tag" }).click();
        await page.getByRole("button", { name: `Remove tag ${t}` }).waitFor();
      }
      assertEqual((await image()).tags.sort(), ["browser", `${tag}-x`].sort(), "tags after adding");
      await page.getByRole("button", { name: `Remove tag ${tag}-x` }).click();
      await until(async () => JSON.stringify((await image()).tags) === '["browser"]', "tags after removing");
    },
    page,
  );

  await run.check(
    "edit: name, min disk and protected; a protected image's delete shows Glance's 403",
    async () => {
      needImage(shared);
      await page.getByRole("button", { name: "Edit" }).click();
      const form = page.getByRole("form", { name: "Edit image" });
      await form.getByLabel("Name", { exact: true }).fill(`${tag}-renamed`);
      await form.getByLabel("Min disk (GB)").fill("2");
      await form.getByLabel("Protected (cannot be deleted)").check();
      await form.getByRole("button", { name: "Save" }).click();
      await until(async () => {
        const i = await image();
        return i.name === `${tag}-renamed` && i.min_disk === 2 && i.protected === true;
      }, "the saved attributes");
      await page.getByRole("button", { name: "Delete" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
      const alert = await until(() => page.locator(".alert-error").textContent(), "the refusal");
      assert(alert.includes("is protected and cannot be deleted") && alert.includes("HTTP 403"), `message: ${alert}`);
      assertEqual((await image()).status, "active", "status after the refused delete");
      await page.getByRole("button", { name: "Edit" }).click();
      await page.getByRole("form", { name: "Edit image" }).getByLabel("Protected (cannot be deleted)").uncheck();
      await page.getByRole("form", { name: "Edit image" }).getByRole("button", { name: "Save" }).click();
      await until(async () => (await image()).protected === false, "unprotected");
    },
    page,
  );
  await context.close();
}

export async function shareChecks({ url, browser, run, shared }) {
  const api = client(url, "demo-token");
  const context = await browser.newContext();
  const page = await context.newPage();

  await run.check(
    "share: the owner adds alt-project, which shows as pending",
    async () => {
      needImage(shared);
      await signInWithToken(page, url, "demo-token");
      await openImage(page, shared.imageId);
      await page.getByLabel("Project ID to share with").fill("alt-project");
      await page.getByRole("button", { name: "Share", exact: true }).click();
      await until(
        async () => (await page.locator('tr[data-member="alt-project"]').textContent()).includes("pending"),
        "a pending member",
      );
    },
    page,
  );

  await run.check(
    "share: alt-project sees it under Shared with me, accepts, and finds it in its list",
    async () => {
      needImage(shared);
      await page.getByRole("button", { name: "Sign out" }).click();
      await signInWithToken(page, url, "alt-token");
      await page.getByRole("link", { name: "Shared with me" }).click();
      const row = page.locator(`tr[data-image-id="${shared.imageId}"]`);
      await row.waitFor();
      await row.getByRole("button", { name: /^Accept/ }).click();
      await until(async () => (await row.count()) === 0, "the row leaving the pending list");
      const member = (await api("GET", `/v2/images/${shared.imageId}/members/alt-project`)).data;
      assertEqual(member?.status, "accepted", "member status");
      await page.getByRole("link", { name: "Images", exact: true }).first().click();
      await page.locator(`tr[data-image-id="${shared.imageId}"]`).waitFor();
      await openImage(page, shared.imageId);
      assertEqual(await page.getByRole("button", { name: "Edit" }).count(), 0, "Edit buttons for a consumer");
      assertEqual(await page.getByRole("button", { name: "Delete" }).count(), 0, "Delete buttons for a consumer");
    },
    page,
  );

  await run.check(
    "share: the owner sees the member accepted",
    async () => {
      needImage(shared);
      await page.getByRole("button", { name: "Sign out" }).click();
      await signInWithToken(page, url, "demo-token");
      await openImage(page, shared.imageId);
      await until(
        async () => (await page.locator('tr[data-member="alt-project"]').textContent()).includes("accepted"),
        "accepted",
      );
    },
    page,
  );
  await context.close();
}

export async function lifecycleChecks({ url, browser, run, shared }) {
  const api = client(url, "demo-token");
  const status = async () => (await api("GET", `/v2/images/${shared.imageId}`)).data?.status;
  const context = await browser.newContext();
  const page = await context.newPage();

  await run.check(
    "deactivate and reactivate",
    async () => {
      needImage(shared);
      await signInWithToken(page, url, "demo-token");
      await openImage(page, shared.imageId);
      await page.getByRole("button", { name: "Deactivate" }).click();
      await until(async () => (await status()) === "deactivated", "deactivated");
      await page.locator('h1 .badge[data-status="deactivated"]').waitFor();
      await page.getByRole("button", { name: "Reactivate" }).click();
      await until(async () => (await status()) === "active", "active again");
      await page.locator('h1 .badge[data-status="active"]').waitFor();
    },
    page,
  );

  await run.check(
    "delete from the row menu asks first; Cancel keeps, Delete removes",
    async () => {
      needImage(shared);
      const name = (await api("GET", `/v2/images/${shared.imageId}`)).data.name;
      await page.evaluate((h) => (location.hash = h), `#/images?name=${encodeURIComponent(name)}`);
      const menuButton = page.getByRole("button", { name: `Actions for ${name}` });
      await menuButton.click();
      await page.getByRole("menuitem", { name: "Delete" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
      assertEqual(await status(), "active", "status after Cancel");
      await menuButton.click();
      await page.getByRole("menuitem", { name: "Delete" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
      await until(async () => (await api("GET", `/v2/images/${shared.imageId}`)).status === 404, "the image gone");
      await until(
        async () => (await page.locator(`tr[data-image-id="${shared.imageId}"]`).count()) === 0,
        "the row gone",
      );
    },
    page,
  );
  await context.close();
}
