/**
 * A merchant's path through Propel in a real browser, inside the simulated Shopify admin:
 * install, the overview once the store is imported, a segment, a customer, a promotion created
 * from a segment's playbook (and its first redemption), a settings change through the admin's
 * contextual save bar, and logging in from
 * the app's own login page. Each step
 * asserts what a person sees, runs axe-core on the page, and saves a screenshot to
 * test/e2e/__screenshots__/ (UPDATE_SCREENSHOTS=1 also refreshes docs/screenshots/overview.png).
 *
 * The steps share one browser page and build on each other, so they run in order.
 */
import type { Browser, FrameLocator, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppStack, type AppStack } from "../support/app-stack";
import {
  appFrame,
  launchBrowser,
  newAdminPage,
  screenshot,
  seriousAxeViolations,
  tabThrough,
  watchConsole,
  type AxeViolation,
} from "../support/browser";

let stack: AppStack;
let browser: Browser;
let page: Page;
let app: FrameLocator;
/** The page's errors, failed requests and navigations, for a failure's message. */
const browserEvents: string[] = [];
/** The console of every page a test opens, which must stay clean (see the afterEach). */
const consoles: ReturnType<typeof watchConsole>[] = [];

const VISIBLE = { timeout: 60_000 };

/**
 * Waits for a locator to be visible, then for the app in the frame to be hydrated: the admin
 * shell's menu loads every page as a document, and a link clicked in server-rendered HTML
 * before Remix takes over is a plain navigation, without the shop and session token the
 * embedded app needs (it lands on the login page). Once Remix's router exists, React has the
 * page and replays a click made during hydration. When either wait fails, the error carries
 * what the app frame showed, what the browser reported and the stack's last log lines.
 */
async function shows(locator: Locator, timeout = VISIBLE.timeout) {
  const frame = () => page.frame({ name: "app-iframe" });
  try {
    await locator.waitFor({ timeout });
    await frame()?.waitForFunction(() => "__remixRouter" in window, undefined, { timeout });
  } catch (error) {
    await screenshot(page, "failure");
    const text = await frame()
      ?.locator("body")
      .innerText()
      .catch(() => "");
    throw new Error(
      [
        (error as Error).message,
        `frame: ${frame()?.url()}`,
        text?.slice(0, 800),
        `browser: ${browserEvents.slice(-40).join("\n")}`,
        stack.logs(),
      ].join("\n"),
    );
  }
}

/**
 * Clicks an entry of the app's navigation menu, which the admin shell shows in its sidebar,
 * and waits for the page of that name.
 */
async function openFromNav(label: string) {
  const frame = page.frame({ name: "app-iframe" })!;
  await frame.evaluate(() => Object.assign(window, { __beforeMenuClick: true }));
  await page.locator("#app-nav").getByRole("link", { name: label, exact: true }).click();
  await shows(app.getByRole("heading", { name: label, level: 1 }));
  // The app followed the click in its page, as under App Bridge: no reload of the document.
  expect(await frame.evaluate(() => "__beforeMenuClick" in window)).toBe(true);
}

/**
 * axe-core's serious and critical findings per page, taken while the flow is on the page and
 * asserted by a test of their own at the end, so one page's findings do not hide the rest of
 * the flow.
 */
const audits = new Map<string, AxeViolation[]>();
const AUDITED_PAGES = [
  "overview",
  "segment",
  "customer",
  "promotions",
  "new promotion",
  "promotion results",
  "settings",
  "model trust",
];

/**
 * The admin's contextual save bar, which App Bridge shows over the admin's top bar (outside
 * the app's frame) while a form marked data-save-bar has unsaved changes.
 */
const saveBar = () => page.getByRole("region", { name: "Unsaved changes" });

/** Clicks Save or Discard in the admin's save bar, which then goes away. */
async function useSaveBar(action: "Save" | "Discard") {
  await shows(saveBar());
  await saveBar().getByRole("button", { name: action, exact: true }).click();
  await saveBar().waitFor({ state: "hidden", timeout: VISIBLE.timeout });
}

async function audit(name: string, pathPrefix: string) {
  audits.set(name, await seriousAxeViolations(await appFrame(page, pathPrefix)));
}

describe("Propel in the Shopify admin (headless Chromium)", () => {
  beforeAll(async () => {
    stack = await startAppStack();
    browser = await launchBrowser();
    page = await newAdminPage(browser);
    app = page.frameLocator("#app-iframe");
    consoles.push(watchConsole(page));
    page.on("pageerror", (error) => browserEvents.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") browserEvents.push(`console: ${message.text()}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) browserEvents.push(`${response.status()}: ${response.url()}`);
    });
    page.on("framenavigated", (frame) =>
      browserEvents.push(`navigated: ${frame.url().slice(0, 120)}`),
    );
    page.on("requestfailed", (request) =>
      browserEvents.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
    );
  });

  // Every page a test visits leaves the browser's console empty: no errors or warnings, no
  // uncaught exceptions and no failed responses, in the app's frame or the admin around it.
  afterEach(async () => {
    const problems = (await Promise.all(consoles.map((watch) => watch.take()))).flat();
    expect(problems, problems.join("\n")).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("installs when the merchant opens it from the admin, and imports the store", async () => {
    await page.goto(stack.adminUrl);
    await expect(page.locator("#store-name").textContent()).resolves.toMatch(/\S/);
    // Opening the app is the install (Shopify's managed install with token exchange). The
    // first page of a fresh Vite dev server also compiles the app, hence the longer wait.
    await shows(app.getByRole("heading", { name: "Overview", level: 1 }), 240_000);
    await expect(stack.waitForInstall()).resolves.toBeGreaterThan(0);
    await shows(app.getByRole("heading", { name: "Data status" }));
    await shows(page.locator("#app-nav").getByRole("link", { name: "Segments", exact: true }));
    await screenshot(page, "install");
    await stack.waitForSegments();
  }, 600_000);

  it("shows the overview with the store's segments", async () => {
    await page.reload();
    await shows(app.getByRole("heading", { name: "Overview", level: 1 }));
    await shows(app.getByRole("heading", { name: "Segment sizes and revenue share" }));
    const lastRecompute = app.getByText("Last recompute").locator("xpath=following-sibling::*[1]");
    await expect(lastRecompute.textContent()).resolves.toMatch(/UTC$/);
    await expect(app.getByText("Champions").first().isVisible()).resolves.toBe(true);
    await screenshot(page, "overview", true);
    await audit("overview", "/app");
  });

  it("reaches the main actions by keyboard, with a visible focus", async () => {
    const focused = await tabThrough(page, await appFrame(page, "/app"), 25);
    expect(focused.length).toBeGreaterThan(3);
    expect(
      focused.every((f) => f.visibleFocus),
      JSON.stringify(focused),
    ).toBe(true);
    // The family tabs of the segment chart are reachable without a mouse.
    expect(focused.some((f) => /RFM group/.test(f.name))).toBe(true);
  });

  it("opens a segment and lists its customers", async () => {
    await openFromNav("Segments");
    await app.getByRole("link", { name: "Champions", exact: true }).click();
    await shows(app.getByRole("heading", { name: "Champions", level: 1 }));
    const customers = app.locator('a[href^="/app/customers/"]');
    await shows(customers.first());
    expect(await customers.count()).toBeGreaterThan(0);
    await screenshot(page, "segment");
    await audit("segment", "/app/segments/");
  });

  it("opens a customer with their segments and scores", async () => {
    const link = app.locator('a[href^="/app/customers/"]').first();
    const name = (await link.textContent())?.trim() ?? "";
    await link.click();
    await shows(app.getByRole("heading", { level: 1 }).filter({ hasText: name }));
    // A champion: the page names the segment they are in.
    await expect(app.getByText("Champions").first().isVisible()).resolves.toBe(true);
    // The churn score over the shop's horizon, with its interval from the fit's uncertainty.
    await expect(
      app.getByText(/chance of no order in the next \d+ days/).isVisible(),
    ).resolves.toBe(true);
    await expect(
      app
        .getByText(/80% interval/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await screenshot(page, "customer");
    await audit("customer", "/app/customers/");
  });

  it("creates a promotion from a segment's playbook and counts its redemption", async () => {
    await openFromNav("Promotions");
    await shows(app.getByRole("heading", { name: "Suggested promotions by segment" }));
    await screenshot(page, "promotions");
    await audit("promotions", "/app/promotions");

    const create = app.getByRole("link", { name: /^Create “.+” for / }).first();
    const label = (await create.getAttribute("aria-label")) ?? "";
    const segmentLabel = label.replace(/^Create “.+” for /, "");
    await create.click();
    await shows(app.getByRole("heading", { name: "New promotion", level: 1 }));
    const code = app.getByLabel("Discount code");
    await expect(code.inputValue()).resolves.toMatch(/^[A-Z0-9_-]{4,32}$/);
    await expect(app.getByLabel("Discount (%)").inputValue()).resolves.toMatch(/^\d+$/);

    // Any change brings up the admin's save bar; Discard puts the suggestion back.
    const suggestedCode = await code.inputValue();
    expect(await saveBar().isVisible()).toBe(false);
    await code.fill("DRAFT-CODE");
    await useSaveBar("Discard");
    await expect(app.getByLabel("Discount code").inputValue()).resolves.toBe(suggestedCode);

    // An invalid code is refused next to the field, and nothing reaches the store.
    const discountsBefore = await stack.control("/discounts");
    await code.fill("no");
    await app.getByRole("button", { name: "Create discount" }).click();
    await shows(app.getByText("Use 4–32 letters, digits, hyphens or underscores"));
    expect(await stack.control("/discounts")).toEqual(discountsBefore);
    // The page's own button submitted the form, which took the save bar away with it.
    expect(await saveBar().isVisible()).toBe(false);

    // The form is usable from the keyboard: Tab reaches its fields and its button, visibly.
    const focused = await tabThrough(page, await appFrame(page, "/app/promotions/new"), 18);
    for (const name of ["Discount code", "Holdout (%)", "Create discount"])
      expect(
        focused.find((f) => f.name.includes(name)),
        `${name} in ${JSON.stringify(focused)}`,
      ).toMatchObject({ visibleFocus: true });

    await code.fill("E2E-PROMO-1");
    await app.getByLabel("Holdout (%)").fill("20");
    await audit("new promotion", "/app/promotions/new");
    await shows(saveBar());
    await screenshot(page, "promotion-new");
    await useSaveBar("Save");
    await shows(app.getByText("Lift against the holdout"));
    await expect(app.getByText(segmentLabel).first().isVisible()).resolves.toBe(true);

    const discounts = (await stack.control("/discounts")) as unknown as {
      code: string;
      percent: number;
      appliesOncePerCustomer: boolean;
    }[];
    const created = discounts.filter((d) => d.code === "E2E-PROMO-1");
    expect(created).toHaveLength(1);
    expect(created[0].appliesOncePerCustomer).toBe(true);
    const promotion = await stack.prisma.promotion.findFirstOrThrow({
      where: { code: "E2E-PROMO-1" },
      include: { assignments: true },
    });
    expect(created[0].percent).toBe(promotion.discountPercent);
    expect(promotion.discountId).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\//);
    expect(promotion.holdoutCount).toBe(Math.round(0.2 * promotion.assignments.length));

    // A treated customer uses the code in the store; the order arrives by webhook.
    const treated = promotion.assignments.find((a) => !a.holdout)!;
    await stack.control("/orders", {
      customerId: String(treated.customerId),
      discountCode: "E2E-PROMO-1",
    });
    const deadline = Date.now() + 60_000;
    while (
      (await stack.prisma.order.count({
        where: { discountCodes: { has: "E2E-PROMO-1" } },
      })) === 0 &&
      Date.now() < deadline
    )
      await page.waitForTimeout(500);
    // Back to the list and into the promotion again, as a merchant checking on it would.
    await openFromNav("Promotions");
    await app.getByRole("link", { name: promotion.title }).click();
    await shows(app.getByText("Lift against the holdout"));
    const redemptions = app
      .getByRole("heading", { name: "Redemptions" })
      .locator("xpath=following-sibling::*[1]");
    await expect(redemptions.textContent()).resolves.toBe("1");
    // The customer who used the code converted; the lift table counts them in the treated group.
    const treatedRow = app.getByRole("row").filter({ hasText: "Got the code" });
    await expect(treatedRow.locator("td").nth(1).textContent()).resolves.toBe("1");
    await screenshot(page, "promotion-results");
    await audit("promotion results", "/app/promotions/");
  });

  it("changes a setting, and refuses an invalid one next to its field", async () => {
    await openFromNav("Settings");
    await audit("settings", "/app/settings");
    const prefix = app.getByLabel("Tag prefix");
    // The admin's save bar saves the form: the page has no Save button of its own.
    await expect(app.getByRole("button", { name: "Save" }).count()).resolves.toBe(0);
    expect(await saveBar().isVisible()).toBe(false);

    // Discard puts back what was saved, in a text field and a checkbox alike.
    const flow = app.getByLabel(/Send Shopify Flow triggers/);
    const flowBefore = await flow.isChecked();
    await prefix.fill("draft");
    await flow.setChecked(!flowBefore);
    await useSaveBar("Discard");
    await expect(prefix.inputValue()).resolves.toBe("propel");
    await expect(flow.isChecked()).resolves.toBe(flowBefore);

    // Typing the saved value back leaves nothing unsaved, so the bar goes away by itself.
    await prefix.fill("propel2");
    await shows(saveBar());
    await prefix.fill("propel");
    await saveBar().waitFor({ state: "hidden", timeout: VISIBLE.timeout });

    await prefix.fill("Not A Prefix!");
    await useSaveBar("Save");
    await shows(app.getByText("Some settings need attention"));
    expect((await stack.prisma.shop.findFirstOrThrow()).tagPrefix).toBe("propel");

    await prefix.fill("vip");
    await shows(saveBar());
    await screenshot(page, "settings");
    await useSaveBar("Save");
    await shows(app.getByText("Settings saved"));
    await expect(app.getByText("Tags look like vip:champions.").isVisible()).resolves.toBe(true);
    expect((await stack.prisma.shop.findFirstOrThrow()).tagPrefix).toBe("vip");

    // After a save, Discard goes back to the new values, not the ones first loaded.
    await prefix.fill("other");
    await useSaveBar("Discard");
    await expect(prefix.inputValue()).resolves.toBe("vip");
  });

  it("compares Propel's RFM groups with Shopify's own on the model trust page", async () => {
    await openFromNav("Model trust");
    // The purchase models compared on held-out time, and the churn bands backtested.
    await shows(app.getByRole("heading", { name: "Purchase model and churn" }));
    const bands = app.getByRole("heading", { name: "Do the churn bands hold up?" });
    await shows(bands);
    await bands.scrollIntoViewIfNeeded();
    await screenshot(page, "churn-bands", true);
    const heading = app.getByRole("heading", { name: "Agreement with Shopify's RFM groups" });
    await shows(heading);
    // The import read Shopify's group of every customer the simulated store has scored.
    const summary = app.getByText(/customers placed by both/);
    await shows(summary);
    const compared = Number(
      /Of ([\d,]+) customers placed by both/
        .exec((await summary.textContent()) ?? "")?.[1]
        .replaceAll(",", ""),
    );
    expect(compared).toBeGreaterThan(0);
    const table = app.getByRole("table").filter({ hasText: "Propel ↓ · Shopify →" });
    expect(await table.getByRole("row").count()).toBeGreaterThan(2);
    await heading.scrollIntoViewIfNeeded();
    await screenshot(page, "shopify-agreement", true);
    await audit("model trust", "/app/models");
  });

  it("logs in from the app's own login page through Shopify's managed install", async () => {
    const login = await newAdminPage(browser);
    consoles.push(watchConsole(login));
    try {
      await login.goto(`${stack.appUrl}/auth/login`);
      await login.getByLabel("Shop domain").fill(stack.shop.replace(/\.myshopify\.com$/, ""));
      await login.getByRole("button", { name: "Log in" }).click();
      // The login page hands over to Shopify (here the simulator), which opens the app in the
      // admin; the app authenticates there by token exchange.
      await login.waitForURL(/\/store\/[^/]+\/apps\//, VISIBLE);
      await login
        .frameLocator("#app-iframe")
        .getByRole("heading", { name: "Overview", level: 1 })
        .waitFor(VISIBLE);
      await screenshot(login, "login-install");
    } finally {
      await login.context().close();
    }
  });

  it.each(AUDITED_PAGES)("finds no serious accessibility violations on the %s page", (name) => {
    const violations = audits.get(name);
    expect(violations, `the ${name} page was not reached`).toBeDefined();
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  });
});
