/**
 * The browser of the end-to-end tests: Debian's Chromium driven by playwright-core (Playwright's
 * own browser download does not work offline), headless, with a desktop user agent — the app's
 * library answers bot-like agents with 410 — plus the checks every page gets: axe-core's
 * accessibility rules run inside the app's iframe, and a screenshot of the whole admin.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chromium, type Browser, type Frame, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const DESKTOP_AGENT =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

export const SCREENSHOT_DIR = join(process.cwd(), "test/e2e/__screenshots__");
export const README_SCREENSHOT_DIR = join(process.cwd(), "docs/screenshots");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Containers often run as root without a user namespace sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function newAdminPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    userAgent: DESKTOP_AGENT,
    viewport: { width: 1440, height: 900 },
    locale: "en-US",
    timezoneId: "UTC",
  });
  return context.newPage();
}

/** The app's iframe in the admin shell, as a Frame (for scripts) once it has loaded `path`. */
export async function appFrame(page: Page, pathPrefix = "/app"): Promise<Frame> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const frame = page.frame({ name: "app-iframe" });
    if (frame && new URL(frame.url() || "about:blank", "http://x").pathname.startsWith(pathPrefix))
      return frame;
    if (Date.now() > deadline) throw new Error(`the app frame did not load ${pathPrefix}`);
    await page.waitForTimeout(100);
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

const axeSource = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) in the app's frame and returns the serious and
 * critical violations. The admin shell around it is the simulator's, not the app's, so only
 * the frame is checked.
 */
export async function seriousAxeViolations(frame: Frame): Promise<AxeViolation[]> {
  await frame.addScriptTag({ path: axeSource });
  const violations = await frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (...args: unknown[]) => Promise<unknown> } })
      .axe;
    const result = (await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    })) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[]; html: string }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * Saves a screenshot of the whole admin (shell and app) as test/e2e/__screenshots__/NAME.png;
 * with UPDATE_SCREENSHOTS=1 the ones named in `publish` are also copied to docs/screenshots/.
 */
export async function screenshot(page: Page, name: string, publish = false): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  if (publish && process.env.UPDATE_SCREENSHOTS === "1") {
    const target = join(README_SCREENSHOT_DIR, `${name}.png`);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(path, target);
  }
  return path;
}

/**
 * Presses Tab up to `maxTabs` times and returns what received focus, each with whether its
 * focus is visible: the element's area (with a margin for rings drawn outside it) must render
 * differently focused than unfocused, whatever draws the ring (outline, box-shadow, a
 * pseudo-element on a sibling, as Polaris does). The unfocused pictures are taken after the
 * walk, so the walk itself is exactly what a keyboard user gets.
 */
export async function tabThrough(
  page: Page,
  frame: Frame,
  maxTabs: number,
): Promise<{ name: string; tag: string; visibleFocus: boolean }[]> {
  const iframeBox = await page.locator("#app-iframe").boundingBox();
  if (!iframeBox) throw new Error("the app frame is not visible");
  // Start at the top of the app, as a keyboard user arriving in it would.
  await frame.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    document.querySelectorAll("[data-e2e-tab]").forEach((el) => el.removeAttribute("data-e2e-tab"));
    window.scrollTo(0, 0);
  });
  await frame.locator("body").click({ position: { x: 1, y: 1 } });

  const margin = 6;
  const clipOf = (rect: { x: number; y: number; width: number; height: number }) => ({
    x: Math.max(0, iframeBox.x + rect.x - margin),
    y: Math.max(0, iframeBox.y + rect.y - margin),
    width: Math.max(1, rect.width + 2 * margin),
    height: Math.max(1, rect.height + 2 * margin),
  });
  const placeInView = (index: number) =>
    frame.evaluate((i) => {
      const el = document.querySelector(`[data-e2e-tab="${i}"]`);
      if (!el) return null;
      el.scrollIntoView({ block: "center" });
      const rect = el.getBoundingClientRect();
      return { x: rect.x, y: rect.y, width: rect.width, height: rect.height };
    }, index);

  const walk: { name: string; tag: string; focused: Buffer }[] = [];
  for (let i = 0; i < maxTabs; i++) {
    await page.keyboard.press("Tab");
    const focused = await frame.evaluate((index) => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      el.setAttribute("data-e2e-tab", String(index));
      const labelled = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
      const name =
        el.getAttribute("aria-label") || labelled?.textContent || el.textContent || el.tagName;
      return { name: name.trim().replace(/\s+/g, " "), tag: el.tagName.toLowerCase() };
    }, walk.length);
    if (!focused) continue;
    const rect = await placeInView(walk.length);
    if (!rect) continue;
    walk.push({ ...focused, focused: await page.screenshot({ clip: clipOf(rect) }) });
  }

  await frame.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const seen: { name: string; tag: string; visibleFocus: boolean }[] = [];
  for (const [index, step] of walk.entries()) {
    const rect = await placeInView(index);
    const unfocused = rect ? await page.screenshot({ clip: clipOf(rect) }) : step.focused;
    seen.push({ name: step.name, tag: step.tag, visibleFocus: !unfocused.equals(step.focused) });
  }
  return seen;
}

/**
 * Collects what the browser reports as wrong on a page — console errors and warnings (React's
 * hydration mismatches, polaris-viz's sizing warnings, failed resource loads), uncaught
 * exceptions, and responses of 400 or more — in the admin shell and in the app's frame alike,
 * so a test can require a clean console on every page it visits. `take` returns and clears
 * what was collected since the last call.
 */
export function watchConsole(page: Page): { take: () => Promise<string[]> } {
  let problems: Promise<string>[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error" && message.type() !== "warning") return;
    const { url, lineNumber } = message.location();
    const where = `(at ${url}:${lineNumber})`;
    // React formats its warnings in the console ("%s" and the component stack as arguments),
    // and the stack is what names the component at fault.
    const args = Promise.all(message.args().map((arg) => arg.jsonValue().catch(() => "?")));
    problems.push(
      args
        .then(([format, ...rest]) =>
          typeof format === "string" && format.includes("%s")
            ? format.replace(/%s/g, () => String(rest.shift() ?? ""))
            : message.text(),
        )
        .catch(() => message.text())
        .then((text) => `console ${message.type()}: ${text} ${where}`),
    );
  });
  page.on("pageerror", (error) =>
    problems.push(Promise.resolve(`uncaught: ${error.stack ?? error.message}`)),
  );
  page.on("response", (response) => {
    if (response.status() >= 400)
      problems.push(Promise.resolve(`HTTP ${response.status()}: ${response.url()}`));
  });
  return {
    take() {
      const taken = problems;
      problems = [];
      return Promise.all(taken);
    },
  };
}
