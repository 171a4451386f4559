import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { queues } from "~/jobs/producer.server";
import { setDocumentHeaders } from "~/document-headers.server";
import { MAX_FAILURES } from "~/ops/auth.server";
import { headers as opsHeaders } from "~/routes/ops";
import { loader as shopsLoader } from "~/routes/ops._index";
import { action as shopAction, loader as shopLoader } from "~/routes/ops.shops.$domain";
import { loader as customerLoader } from "~/routes/ops.shops.$domain.customers.$id[.json]";

const domain = "ops-view.myshopify.com";
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

async function call<T>(loader: (args: never) => Promise<T>, args: object): Promise<T | Response> {
  try {
    return await loader({ params: {}, context: {}, ...args } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("ops pages", () => {
  beforeAll(async () => {
    const shop = await prisma.shop.create({ data: { domain } });
    await prisma.customer.create({
      data: {
        shopId: shop.id,
        id: 5n,
        email: "grace@example.com",
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
      },
    });
    await prisma.order.create({
      data: {
        shopId: shop.id,
        customerId: 5n,
        id: 50n,
        name: "#1",
        processedAt: new Date(),
        shopifyCreatedAt: new Date(),
        shopifyUpdatedAt: new Date(),
        currency: "EUR",
        totalMinor: 1999n,
        subtotalMinor: 1999n,
      },
    });
  });
  afterAll(async () => {
    await prisma.shop.delete({ where: { domain } });
  });

  it("challenge requests without the ops credentials", async () => {
    const anonymous = await call(shopsLoader, { request: new Request("http://x/ops") });
    expect(anonymous).toBeInstanceOf(Response);
    expect((anonymous as Response).status).toBe(401);
    expect((anonymous as Response).headers.get("WWW-Authenticate")).toMatch(/^Basic/);

    const wrong = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("support", "not-the-password") },
      }),
    });
    expect((wrong as Response).status).toBe(401);
  });

  it("pass the 401 challenge on to the page a browser renders, and refuse framing", () => {
    // A thrown Response is rendered by the ops error boundary; its headers reach the browser
    // only through the layout's headers function.
    const challenge = new Headers({ "WWW-Authenticate": 'Basic realm="Propel ops"' });
    const page = new Headers(
      opsHeaders({
        errorHeaders: challenge,
        loaderHeaders: new Headers(),
        parentHeaders: new Headers(),
        actionHeaders: new Headers(),
      }),
    );
    expect(page.get("WWW-Authenticate")).toBe('Basic realm="Propel ops"');
    expect(page.get("X-Frame-Options")).toBe("DENY");
    const ok = new Headers(
      opsHeaders({
        errorHeaders: undefined,
        loaderHeaders: new Headers(),
        parentHeaders: new Headers(),
        actionHeaders: new Headers(),
      }),
    );
    expect(ok.get("WWW-Authenticate")).toBeNull();
    expect(ok.get("Content-Security-Policy")).toBe("frame-ancestors 'none'");
  });

  it("keep frame-ancestors 'none' on ops documents even with ?shop= on the URL", () => {
    const ops = new Headers();
    setDocumentHeaders(new Request(`http://x/ops/shops/${domain}?shop=${domain}`), ops);
    expect(ops.get("Content-Security-Policy")).toBe("frame-ancestors 'none'");
    expect(ops.get("X-Frame-Options")).toBe("DENY");
    // The embedded app's pages keep the library's: framed by the shop's admin only.
    const app = new Headers();
    setDocumentHeaders(new Request(`http://x/app?shop=${domain}`), app);
    expect(app.get("Content-Security-Policy")).toContain(domain);
  });

  it("accept per-user credentials from OPS_USERS and record who viewed which customer", async () => {
    const response = (await call(customerLoader, {
      request: new Request(`http://x/ops/shops/${domain}/customers/5.json?x=1`, {
        headers: { Authorization: basic("auditor", "auditor-password") },
      }),
      params: { domain, id: "5" },
    })) as Response;
    expect(response.status).toBe(200);
    const wrong = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("auditor", "support-password") },
      }),
    });
    expect((wrong as Response).status).toBe(401);
    const audit = await prisma.opsAccess.findMany({ where: { user: "auditor" } });
    expect(audit).toEqual([
      expect.objectContaining({
        action: "view-customer",
        shopDomain: domain,
        subject: "5",
        path: `/ops/shops/${domain}/customers/5.json`,
      }),
    ]);
  });

  it("lock a user name out after repeated failed logins, even with the right password", async () => {
    const attempt = (password: string) =>
      call(shopsLoader, {
        request: new Request("http://x/ops", {
          headers: { Authorization: basic("lockout", password) },
        }),
      });
    expect(await attempt("lockout-password")).not.toBeInstanceOf(Response);
    for (let i = 0; i < MAX_FAILURES; i++)
      expect(((await attempt(`guess-${i}`)) as Response).status).toBe(401);
    const locked = (await attempt("lockout-password")) as Response;
    expect(locked.status).toBe(429);
    expect(locked.headers.get("Retry-After")).toMatch(/^\d+$/);
    // Another user is not affected.
    const other = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("auditor", "auditor-password") },
      }),
    });
    expect(other).not.toBeInstanceOf(Response);
  });

  it("list shops for support staff", async () => {
    const data = await call(shopsLoader, {
      request: new Request("http://x/ops", {
        headers: { Authorization: basic("support", process.env.OPS_PASSWORD!) },
      }),
    });
    expect(data).not.toBeInstanceOf(Response);
    const shops = (data as { shops: { domain: string; customers: number }[] }).shops;
    expect(shops.find((shop) => shop.domain === domain)).toMatchObject({ customers: 1 });
  });

  it("look up a customer with their orders as JSON", async () => {
    const response = (await call(customerLoader, {
      request: new Request(`http://x/ops/shops/${domain}/customers/5.json`, {
        headers: { Authorization: basic("support", process.env.OPS_PASSWORD!) },
      }),
      params: { domain, id: "5" },
    })) as Response;
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ id: "5", email: "grace@example.com" });
    expect(body.orders).toMatchObject([{ id: "50", totalMinor: "1999", currency: "EUR" }]);
  });
});

describe("ops shop page actions", () => {
  const installed = "ops-actions.myshopify.com";
  const untouched = "ops-actions-untouched.myshopify.com";
  const uninstalled = "ops-actions-gone.myshopify.com";
  const auth = { Authorization: basic("support", process.env.OPS_PASSWORD!) };
  // What a browser sends with a form posted from the ops page itself.
  const sameSite = { ...auth, "Sec-Fetch-Site": "same-origin", Origin: "http://ops.test" };

  const post = (domain: string, intent: string, headers: Record<string, string> = sameSite) =>
    call(shopAction, {
      request: new Request(`http://ops.test/ops/shops/${domain}`, {
        method: "POST",
        headers,
        body: new URLSearchParams({ intent }),
      }),
      params: { domain },
    });

  /** The status of a thrown or returned Response, or of a `data(..., { status })`. */
  const statusOf = (result: unknown) =>
    result instanceof Response
      ? result.status
      : ((result as { init?: { status?: number } | null }).init?.status ?? 200);

  async function shopJobs(domain: string) {
    const states = ["waiting", "delayed", "prioritized", "active", "completed", "failed"] as const;
    const { backfill, recompute } = queues();
    const [reconciles, recomputes] = await Promise.all([
      backfill.getJobs([...states]),
      recompute.getJobs([...states]),
    ]);
    return {
      backfill: reconciles.filter((job) => job.data.shopDomain === domain),
      recompute: recomputes.filter((job) => job.data.shopDomain === domain),
    };
  }

  beforeAll(async () => {
    const shop = await prisma.shop.create({
      data: {
        domain: installed,
        lastRecomputeAt: new Date("2026-11-20T03:47:00Z"),
        modelFittedAt: new Date("2026-11-20T03:47:30Z"),
        dirtySince: new Date("2026-11-21T09:00:00Z"),
        changedSinceFit: 17,
      },
    });
    await prisma.shop.createMany({
      data: [{ domain: untouched }, { domain: uninstalled, installState: "UNINSTALLED" }],
    });
    await prisma.segmentSnapshot.createMany({
      data: [
        {
          shopId: shop.id,
          kind: "full",
          takenAt: new Date("2026-11-19T03:47:00Z"),
          counts: { "rfm:CHAMPIONS": { customers: 100, revenueMinor: 1, clvMinor: 1 } },
        },
        {
          shopId: shop.id,
          kind: "incremental",
          takenAt: new Date("2026-11-20T03:47:00Z"),
          counts: {
            "rfm:CHAMPIONS": { customers: 3, revenueMinor: 9000, clvMinor: 12000 },
            "rfm:DORMANT": { customers: 2, revenueMinor: 100, clvMinor: 0 },
            "churn:HIGH": { customers: 4, revenueMinor: 100, clvMinor: 0 },
          },
        },
      ],
    });
    for (const [id, status] of [
      [1n, "PENDING"],
      [2n, "PENDING"],
      [3n, "FAILED"],
      [4n, "SYNCED"],
    ] as const) {
      await prisma.customer.create({
        data: { shopId: shop.id, id, shopifyCreatedAt: new Date(), shopifyUpdatedAt: new Date() },
      });
      await prisma.tagSyncState.create({ data: { shopId: shop.id, customerId: id, status } });
    }
  });

  afterAll(async () => {
    const { backfill, recompute } = queues();
    for (const domain of [installed, untouched, uninstalled]) {
      const jobs = await shopJobs(domain);
      await Promise.all([...jobs.backfill, ...jobs.recompute].map((job) => job.remove()));
    }
    await backfill.removeDeduplicationKey(`reconcile-now-${installed}`);
    await recompute.removeDeduplicationKey(`recompute-${installed}`);
    await Promise.all(Object.values(queues()).map((queue) => queue.close()));
    globalThis.__propelQueues?.connection.disconnect();
    globalThis.__propelQueues = undefined;
    await prisma.shop.deleteMany({
      where: { domain: { in: [installed, untouched, uninstalled] } },
    });
  });

  it("shows the shop's recompute state, latest snapshot and tag sync counts", async () => {
    const page = (await call(shopLoader, {
      request: new Request(`http://ops.test/ops/shops/${installed}`, { headers: auth }),
      params: { domain: installed },
    })) as { done: string | null; segments: Record<string, unknown> };
    expect(page.done).toBeNull();
    expect(page.segments).toEqual({
      lastReconciledAt: null,
      lastRecomputeAt: "2026-11-20T03:47:00.000Z",
      modelFittedAt: "2026-11-20T03:47:30.000Z",
      dirtySince: "2026-11-21T09:00:00.000Z",
      fullRecomputeRequestedAt: null,
      changedSinceFit: 17,
      latestSnapshot: {
        kind: "incremental",
        takenAt: "2026-11-20T03:47:00.000Z",
        rfmCustomers: 5,
      },
      tagSync: { PENDING: 2, IN_FLIGHT: 0, SYNCED: 1, FAILED: 1 },
    });
  });

  it("refuses actions from another site, or without credentials, and changes nothing", async () => {
    const refused = [
      await post(untouched, "reconcile", { ...auth, "Sec-Fetch-Site": "cross-site" }),
      await post(untouched, "recompute", { ...auth, "Sec-Fetch-Site": "same-site" }),
      // Older browsers send no Sec-Fetch-Site, but do send the Origin of a cross-site post.
      await post(untouched, "reconcile", { ...auth, Origin: "https://evil.example" }),
      await post(untouched, "recompute", { ...auth, Origin: "null" }),
      await post(untouched, "reconcile", { "Sec-Fetch-Site": "same-origin" }),
    ];
    expect(refused.map(statusOf)).toEqual([403, 403, 403, 403, 401]);
    const jobs = await shopJobs(untouched);
    expect(jobs.backfill).toHaveLength(0);
    expect(jobs.recompute).toHaveLength(0);
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: untouched } });
    expect(shop.fullRecomputeRequestedAt).toBeNull();
  });

  it("queues exactly one reconciliation however often it is posted", async () => {
    const first = (await post(installed, "reconcile")) as Response;
    expect(first.status).toBe(302);
    expect(first.headers.get("Location")).toBe(`/ops/shops/${installed}?queued=reconcile`);
    expect(statusOf(await post(installed, "reconcile"))).toBe(302);

    const jobs = await shopJobs(installed);
    expect(jobs.backfill.map((job) => job.data)).toEqual([
      { shopDomain: installed, kind: "RECONCILE" },
    ]);
    expect(jobs.recompute).toHaveLength(0);

    const page = (await call(shopLoader, {
      request: new Request(`http://ops.test/ops/shops/${installed}?queued=reconcile`, {
        headers: auth,
      }),
      params: { domain: installed },
    })) as { done: string | null };
    expect(page.done).toMatch(/^Reconciliation queued/);
  });

  it("requests exactly one full recompute however often it is posted", async () => {
    const first = (await post(installed, "recompute")) as Response;
    expect(first.headers.get("Location")).toBe(`/ops/shops/${installed}?queued=recompute`);
    expect(statusOf(await post(installed, "recompute"))).toBe(302);

    const jobs = await shopJobs(installed);
    expect(jobs.recompute.map((job) => job.data)).toEqual([{ shopDomain: installed, full: true }]);
    const shop = await prisma.shop.findUniqueOrThrow({ where: { domain: installed } });
    expect(shop.fullRecomputeRequestedAt).not.toBeNull();
  });

  it("answers an uninstalled shop or an unknown intent with a reason", async () => {
    const gone = (await post(uninstalled, "reconcile")) as { data: { error: string } };
    expect(statusOf(gone)).toBe(409);
    expect(gone.data.error).toMatch(/UNINSTALLED/);
    expect((await shopJobs(uninstalled)).backfill).toHaveLength(0);

    const unknown = await post(installed, "explode");
    expect(statusOf(unknown)).toBe(400);
    const missing = await post("no-such-shop.myshopify.com", "recompute");
    expect(statusOf(missing)).toBe(404);
  });
});
