// Browser checks: security headers and CSP at work, token sign-in/out and where the token lives, layout at
// 360 px and in dark mode, usage bars, and Keystone sign-in through the Worker's forward to a fake Keystone.
import { assert, assertEqual, until } from "./harness.mjs";
import { signInWithToken } from "./lib.mjs";

export async function securityChecks({ url, browser, run }) {
  await run.check("security headers on every console response; Glance's / and /versions untouched", async () => {
    const page = await fetch(`${url}/console/`);
    const html = await page.text();
    const js = /src="\.\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
    assert(js, "index.html names its script");
    for (const res of [page, await fetch(`${url}/console/${js}`), await fetch(`${url}/console/nope.js`)]) {
      const csp = res.headers.get("content-security-policy") ?? "";
      assert(csp.includes("frame-ancestors 'none'"), `CSP without frame-ancestors 'none': ${csp}`);
      assert(
        /script-src 'self'( 'wasm-unsafe-eval')?;/.test(csp) && !csp.includes("unsafe-inline"),
        `CSP allows inline script: ${csp}`,
      );
      assertEqual(res.headers.get("x-frame-options"), "DENY", "X-Frame-Options");
      assertEqual(res.headers.get("x-content-type-options"), "nosniff", "X-Content-Type-Options");
      assertEqual(res.headers.get("referrer-policy"), "no-referrer", "Referrer-Policy");
    }
    assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), "index.html has an inline script");
    assertEqual((await fetch(`${url}/`)).status, 300, "GET / (versions)");
    assertEqual((await fetch(`${url}/versions`)).status, 200, "GET /versions");
  });

  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = [];
  const logs = [];
  const requests = [];
  page.on("console", (m) => {
    logs.push(m.text());
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on("request", (r) => requests.push(r.url()));

  await run.check(
    "the browser enforces the CSP: an injected inline script does not run, framing is refused",
    async () => {
      await page.goto(`${url}/console/`);
      await page.getByLabel("Token", { exact: true }).waitFor();
      const ran = await page.evaluate(async () => {
        const s = document.createElement("script");
        s.textContent = "window.__injected = true";
        document.body.append(s);
        await new Promise((r) => setTimeout(r, 100));
        return Boolean(window.__injected);
      });
      assert(!ran, "an inline script ran");
      assert(violations.length > 0, "no CSP violation was reported for the inline script");
      violations.length = 0;
      const framer = await context.newPage();
      await framer.setContent(`<iframe src="${url}/console/" title="console"></iframe>`);
      await framer.waitForTimeout(1000);
      const framed = framer.frames().find((f) => f !== framer.mainFrame());
      const inside = framed
        ? await framed.evaluate(() => Boolean(document.getElementById("app"))).catch(() => false)
        : false;
      assert(!inside, "the console loaded inside a frame");
      await framer.close();
    },
    page,
  );

  await run.check(
    "a wrong token is refused with the API's message",
    async () => {
      await page.getByLabel("Token", { exact: true }).fill("not-a-token");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = await until(() => page.locator(".alert-error").textContent(), "an error message");
      assert(/HTTP 401/.test(alert) && /authorized|credentials/i.test(alert), `unexpected message: ${alert}`);
    },
    page,
  );

  await run.check(
    "sign in with a dev token: the token lives in sessionStorage only, never in URLs or logs",
    async () => {
      await signInWithToken(page, url, "demo-token");
      await until(
        async () => (await page.locator("header.top .who").textContent()).includes("demo · demo-project"),
        "the signed-in user",
      );
      const where = await page.evaluate(() => ({
        session: Object.values(sessionStorage).join(" "),
        local: Object.values(localStorage).join(" "),
        href: location.href,
        cookie: document.cookie,
      }));
      assert(where.session.includes("demo-token"), "the token is not in sessionStorage");
      assert(
        !where.local.includes("demo-token") && !where.cookie.includes("demo-token"),
        "the token leaked to localStorage/cookies",
      );
      assert(!where.href.includes("demo-token"), "the token is in the URL");
      await page.getByRole("heading", { name: "Images" }).waitFor();
      assert(!requests.some((u) => u.includes("demo-token")), "a request URL carries the token");
      assert(!logs.some((l) => l.includes("demo-token")), "the console log shows the token");
      assert(violations.length === 0, `CSP violations: ${violations.join(" | ")}`);
    },
    page,
  );

  await run.check(
    "sign out clears the session, also after a reload",
    async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("Token", { exact: true }).waitFor();
      assert(
        !(await page.evaluate(() => Object.values(sessionStorage).join(" "))).includes("demo-token"),
        "the token is still stored",
      );
      await page.reload();
      await page.getByLabel("Token", { exact: true }).waitFor();
    },
    page,
  );
  await context.close();
}

export async function layoutChecks({ url, browser, run, shared }) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await run.check(
    "readable at 360 px: list, detail and create pages do not scroll sideways",
    async () => {
      await signInWithToken(page, url, "demo-token");
      for (const hash of ["#/images", shared.imageId ? `#/images/${shared.imageId}` : "#/usage", "#/create"]) {
        await page.evaluate((h) => (location.hash = h), hash);
        await page.waitForTimeout(700);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert(width <= 360, `${hash} is ${width} px wide`);
      }
    },
    page,
  );

  await run.check(
    "light and dark themes follow the system setting",
    async () => {
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const lum = (rgb) =>
        rgb
          .match(/\d+/g)
          .slice(0, 3)
          .reduce((a, b) => a + Number(b), 0) / 3;
      await page.emulateMedia({ colorScheme: "light" });
      const light = lum(await bg());
      await page.emulateMedia({ colorScheme: "dark" });
      const dark = lum(await bg());
      assert(light > 200 && dark < 60, `backgrounds light ${light}, dark ${dark}`);
    },
    page,
  );

  await run.check(
    "usage shows the project's quotas as bars",
    async () => {
      await page.evaluate(() => (location.hash = "#/usage"));
      await until(async () => (await page.locator(".quota").count()) === 4, "four quota rows");
      assertEqual(await page.locator(".quota [role=progressbar]").count(), 4, "progress bars");
      assert(
        (await page.locator('.quota[data-resource="image_count_total"]').textContent()).includes("unlimited"),
        "unlimited shown",
      );
    },
    page,
  );
  await context.close();
}

export async function keystoneChecks({ ksUrl, keystoneUrl, browser, run }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await run.check(
    "Keystone sign-in: user/password/project through the Worker's POST /v3/auth/tokens forward",
    async () => {
      assert(ksUrl, "the Keystone-mode service is not running");
      await page.goto(`${ksUrl}/console/`);
      await page.getByRole("tab", { name: "User and password" }).waitFor();
      await page.getByLabel("User name").fill("demo");
      await page.getByLabel("Password").fill("demo-pass");
      await page.getByLabel("Project", { exact: true }).fill("demo-project");
      await page.getByRole("button", { name: "Sign in" }).click();
      await until(
        async () =>
          (
            await page
              .locator("header.top .who")
              .textContent()
              .catch(() => "")
          ).includes("demo-id · demo-project"),
        "the Keystone user",
      );
      await page.getByRole("heading", { name: "Images" }).waitFor();
      await until(async () => (await page.locator("table.images").count()) === 1, "the images table");
      const log = await (await fetch(`${keystoneUrl}/_log`)).json();
      const logins = log.filter((e) => e.method === "POST" && e.user === "demo");
      assertEqual(logins.length, 1, "password logins of demo that reached Keystone");
      assert(
        log.every((e) => e.path === "/v3/auth/tokens"),
        `Keystone was asked for other paths: ${JSON.stringify(log)}`,
      );
      const stored = await page.evaluate(() => Object.values(sessionStorage).join(" "));
      assert(!stored.includes("demo-pass"), "the password was stored");
    },
    page,
  );

  await run.check(
    "Keystone sign-in: a wrong password shows Keystone's message",
    async () => {
      assert(ksUrl, "the Keystone-mode service is not running");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByLabel("User name").fill("alt");
      await page.getByLabel("Password").fill("wrong");
      await page.getByLabel("Project", { exact: true }).fill("alt-project");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = await until(() => page.locator(".alert-error").textContent(), "an error message");
      assert(/requires authentication/.test(alert) && /HTTP 401/.test(alert), `unexpected message: ${alert}`);
    },
    page,
  );
  await context.close();
}
