/**
 * The merchant's workflows beyond the built-in segments, in a real browser inside the
 * simulated Shopify admin: writing a custom segment (an invalid rule shows its error at its
 * position, a valid one its count; saving tags the matching customers in the store and deleting
 * removes the tags), the cohort retention report, and a promotion's detectable lift and its
 * before/during/after windows. Each page is saved to docs/screenshots/.
 *
 * The steps share one browser page and build on each other, so they run in order.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, FrameLocator, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppStack, type AppStack } from "../support/app-stack";
import {
  README_SCREENSHOT_DIR,
  launchBrowser,
  newAdminPage,
  screenshot,
  seriousAxeViolations,
  appFrame,
  watchConsole,
} from "../support/browser";

let stack: AppStack;
let browser: Browser;
let page: Page;
let app: FrameLocator;
const browserEvents: string[] = [];
/** The console of every page a test opens, which must stay clean (see the afterEach). */
const consoles: ReturnType<typeof watchConsole>[] = [];

const TIMEOUT = 60_000;
const SEGMENT = "repeat-buyers";
const RULE = "orders >= 3";

/** Waits for a locator, then for Remix to have hydrated the app frame (see admin.test.ts). */
async function shows(locator: Locator, timeout = TIMEOUT) {
  const frame = () => page.frame({ name: "app-iframe" });
  try {
    await locator.waitFor({ timeout });
    await frame()?.waitForFunction(() => "__remixRouter" in window, undefined, { timeout });
  } catch (error) {
    await screenshot(page, "workflows-failure");
    const text = await frame()
      ?.locator("body")
      .innerText()
      .catch(() => "");
    throw new Error(
      [
        (error as Error).message,
        `frame: ${frame()?.url()}`,
        text?.slice(0, 1_500),
        `browser: ${browserEvents.slice(-40).join("\n")}`,
        stack.logs(),
      ].join("\n"),
    );
  }
}

async function openFromNav(label: string) {
  await page.locator("#app-nav").getByRole("link", { name: label, exact: true }).click();
  await shows(app.getByRole("heading", { name: label, level: 1 }));
}

/** Polls until `check` returns a value (not undefined), or fails naming `what`. */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${stack.logs()}`);
    await page.waitForTimeout(1_000);
  }
}

/** A screenshot of the whole page (a tall viewport, so the app's frame shows all of it). */
async function publish(name: string, height = 2_400) {
  await page.setViewportSize({ width: 1440, height });
  await page.waitForTimeout(800);
  const path = await screenshot(page, name);
  mkdirSync(README_SCREENSHOT_DIR, { recursive: true });
  copyFileSync(path, join(README_SCREENSHOT_DIR, `${name}.png`));
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function storeTags(customerId: bigint): Promise<string[]> {
  const body = await stack.control(`/customers/${customerId}/tags`);
  return body.tags as string[];
}

describe("custom segments, retention and promotion windows (headless Chromium)", () => {
  beforeAll(async () => {
    stack = await startAppStack({ shop: "propel-workflows.myshopify.com", customers: 500 });
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
    await page.goto(stack.adminUrl);
    await shows(app.getByRole("heading", { name: "Overview", level: 1 }), 240_000);
    await stack.waitForInstall();
    // The machine is shared: give the backfill and the first recompute time.
    await stack.waitForSegments(600_000);
  }, 900_000);

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

  it("shows a rule's error at its position, and a valid rule's count and sample", async () => {
    await page.reload();
    await shows(page.locator("#app-nav a", { hasText: "Custom segments" }));
    await openFromNav("Custom segments");
    const rule = app.getByLabel("Rule", { exact: true });
    await rule.fill("orders >= 3 AND churnRisk = VERY_HIGH");
    const error = app.getByRole("alert", { name: "Rule error" });
    await shows(error);
    await expect(error.textContent()).resolves.toMatch(
      /Line 1, column 29: VERY_HIGH is not a value of churnRisk/,
    );
    await expect(app.getByRole("button", { name: "Save segment" }).isDisabled()).resolves.toBe(
      true,
    );
    await screenshot(page, "custom-segments-error");

    await rule.fill(RULE);
    const count = app.getByTestId("preview-count");
    await shows(count);
    const shop = await stack.prisma.shop.findFirstOrThrow();
    const expected = await stack.prisma.customerMetrics.count({
      where: { shopId: shop.id, orders: { gte: 3 }, customer: { deletedAt: null } },
    });
    expect(expected).toBeGreaterThan(0);
    await expect(count.textContent()).resolves.toBe(expected.toLocaleString("en-US"));
    await expect(error.count()).resolves.toBe(0);
    // The sample lists customers, each with at least three orders.
    const sample = app.getByRole("region", { name: "Preview" }).locator("tbody tr");
    expect(await sample.count()).toBe(Math.min(10, expected));
  });

  it("saves the segment, and the store's matching customers get its tag", async () => {
    // Custom segments are not a tagged family by default: turn it on from the builder.
    await app.getByRole("button", { name: "Tag custom segments" }).click();
    await shows(app.getByRole("button", { name: "Stop tagging custom segments" }));

    await app.getByLabel("Name", { exact: true }).fill(SEGMENT);
    await app.getByLabel("Rule", { exact: true }).fill(RULE);
    await shows(app.getByTestId("preview-count"));
    await app.getByRole("button", { name: "Save segment" }).click();
    await shows(app.getByText("Segment saved"));
    const shop = await stack.prisma.shop.findFirstOrThrow();
    expect(shop.taggedFamilies).toContain("custom");

    const key = `custom:${SEGMENT}`;
    const expected = await stack.prisma.customerMetrics.count({
      where: { shopId: shop.id, orders: { gte: 3 }, customer: { deletedAt: null } },
    });
    await until(
      async () =>
        (await stack.prisma.segmentMembership.count({ where: { segmentKey: key } })) === expected
          ? true
          : undefined,
      "the recompute to put the customers in the custom segment",
    );
    const members = await stack.prisma.segmentMembership.findMany({
      where: { segmentKey: key },
      take: 3,
      orderBy: { customerId: "asc" },
    });
    const outsider = await stack.prisma.customerMetrics.findFirstOrThrow({
      where: { shopId: shop.id, orders: { lt: 3 } },
    });
    const tag = `${shop.tagPrefix}:segment-${SEGMENT}`;
    for (const member of members)
      await until(
        async () => ((await storeTags(member.customerId)).includes(tag) ? true : undefined),
        `customer ${member.customerId} to carry ${tag} in the store`,
      );
    expect(await storeTags(outsider.customerId)).not.toContain(tag);

    // The admin's reload would reopen the app at its home: come back through the menu.
    await openFromNav("Custom segments");
    await shows(app.getByRole("link", { name: SEGMENT }));
    await shows(app.getByText(tag).first());
    await publish("custom-segments");
    const violations = await seriousAxeViolations(await appFrame(page, "/app/custom-segments"));
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);

    // The saved segment has a page like the built-in ones.
    await app.getByRole("link", { name: SEGMENT }).click();
    await shows(app.getByRole("heading", { name: SEGMENT, level: 1 }));
  });

  it("deletes the segment, and its tags leave the store", async () => {
    await openFromNav("Custom segments");
    const members = await stack.prisma.segmentMembership.findMany({
      where: { segmentKey: `custom:${SEGMENT}` },
      take: 3,
    });
    expect(members.length).toBeGreaterThan(0);
    await app.getByRole("button", { name: `Delete ${SEGMENT}` }).click();
    await shows(app.getByText("Segment deleted"));
    const shop = await stack.prisma.shop.findFirstOrThrow();
    const tag = `${shop.tagPrefix}:segment-${SEGMENT}`;
    for (const member of members)
      await until(
        async () => ((await storeTags(member.customerId)).includes(tag) ? undefined : true),
        `customer ${member.customerId} to lose ${tag} in the store`,
      );
    expect(
      await stack.prisma.segmentMembership.count({ where: { segmentKey: `custom:${SEGMENT}` } }),
    ).toBe(0);
  });

  it("shows cohort retention, split by the first order's discount", async () => {
    await openFromNav("Retention");
    await shows(app.getByRole("heading", { name: /^Retention curve/ }));
    const curve = app.getByRole("figure", { name: "Retention curve" });
    await shows(curve);
    const cohorts = app
      .locator("table")
      .filter({ has: app.getByRole("columnheader", { name: "Cohort" }) })
      .first();
    expect(await cohorts.locator("tbody tr").count()).toBeGreaterThan(6);
    // Month 0 of every cohort is the whole cohort.
    await expect(
      cohorts.locator("tbody tr").first().locator("td").nth(1).textContent(),
    ).resolves.toBe("100.0%");
    await app.getByLabel("Compare").selectOption("discount");
    await shows(app.getByRole("columnheader", { name: "First order discounted" }).first());
    await shows(app.getByRole("columnheader", { name: "First order at full price" }).first());
    await publish("retention", 3_400);
    const violations = await seriousAxeViolations(await appFrame(page, "/app/retention"));
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  });

  it("warns of a large detectable lift, then shows the promotion's windows", async () => {
    await openFromNav("Promotions");
    // The largest segment with a discount to create: a small one's warning is that no lift
    // could be detected at all, not the smallest detectable one.
    const create = { name: /^Create “.+” for / };
    const sections = app
      .locator("section[aria-labelledby]")
      .filter({ has: app.getByRole("link", create) });
    const sizes = await sections.evaluateAll((elements) =>
      elements.map((element) =>
        Number(element.textContent?.match(/([\d,]+) customers/)?.[1].replace(/,/g, "") ?? 0),
      ),
    );
    await sections
      .nth(sizes.indexOf(Math.max(...sizes)))
      .getByRole("link", create)
      .first()
      .click();
    await shows(app.getByRole("heading", { name: "New promotion", level: 1 }));
    const lift = app.getByLabel("Detectable lift");
    await app.getByLabel("Holdout (%)").fill("10");
    await shows(lift.getByText("A lift this promotion could miss"));
    await expect(lift.textContent()).resolves.toMatch(/smallest lift detectable at 80% power/);
    await publish("promotion-new", 1_400);

    await app.getByLabel("Discount code").fill("E2E-WINDOWS");
    await app.getByLabel("Holdout (%)").fill("20");
    await app.getByRole("button", { name: "Create discount" }).click();
    await shows(app.getByRole("heading", { name: "Before, during and after" }));
    const promotion = await stack.prisma.promotion.findFirstOrThrow({
      where: { code: "E2E-WINDOWS" },
      include: { assignments: true },
    });
    // A treated customer orders with the code: the "during" window counts them.
    const treated = promotion.assignments.find((a) => !a.holdout)!;
    await stack.control("/orders", {
      customerId: String(treated.customerId),
      discountCode: "E2E-WINDOWS",
    });
    await until(
      async () =>
        (await stack.prisma.order.count({ where: { discountCodes: { has: "E2E-WINDOWS" } } })) > 0
          ? true
          : undefined,
      "the order with the code to arrive",
    );
    await openFromNav("Promotions");
    await app.getByRole("link", { name: promotion.title }).click();
    const windows = app.getByRole("region", { name: "Before, during and after" });
    await shows(windows);
    const during = windows
      .getByRole("row")
      .filter({ hasText: /^During/ })
      .filter({ hasText: "Got the code" });
    await expect(during.locator("td").nth(2).textContent()).resolves.not.toBe("0");
    const rows = await windows.locator("tbody tr").allTextContents();
    expect(rows.filter((r) => /^(Before|During|After)/.test(r))).toHaveLength(6);
    await expect(windows.getByLabel("Difference in differences").textContent()).resolves.toMatch(
      /Change since before/,
    );
    await app.getByLabel("Customers").selectOption("existing");
    await publish("promotion-windows", 2_400);
    const violations = await seriousAxeViolations(await appFrame(page, "/app/promotions/"));
    expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
  });
});
