import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import type { TagsJob } from "~/jobs/queues";
import { loader as appLoader } from "~/routes/app";
import { syncShop } from "~/sync/backfill.server";
import {
  AdminClient,
  GraphqlRequestError,
  TransientError,
  type RawResponse,
} from "~/tags/client.server";
import { tagsProcessor } from "../../workers/processors/tags";
import { startStoreHarness } from "../support/store-harness";
import { BROWSER } from "../support/session-token";

const shop = "tags-throttle.myshopify.com";
const CUSTOMERS = 120;

let harness: Awaited<ReturnType<typeof startStoreHarness>>;

function runtime() {
  const found = harness.simulator.sim.shops.get(shop);
  if (!found) throw new Error("shop missing in the simulator");
  return found;
}

describe("tag pushes paced to the shop's cost bucket", () => {
  beforeAll(async () => {
    harness = await startStoreHarness(shop, CUSTOMERS, { workers: false });
    await harness.control(`/shops/${shop}/plan`, { plan: "Basic" });
    const request = new Request(await harness.frameUrl(), { headers: { "User-Agent": BROWSER } });
    await appLoader({ request, params: {}, context: {} });
    await syncShop(prisma, shop, "BACKFILL");
  });
  afterAll(async () => {
    await harness?.close();
  });

  it("pushes a whole small-plan shop from an empty bucket with no THROTTLED reaching the job", async () => {
    const shopRow = await prisma.shop.findUniqueOrThrow({ where: { domain: shop } });
    const customers = await prisma.customer.findMany({ where: { shopId: shopRow.id } });
    expect(customers.length).toBeGreaterThanOrEqual(CUSTOMERS);
    await prisma.tagSyncState.createMany({
      data: customers.map((customer) => ({
        shopId: shopRow.id,
        customerId: customer.id,
        desiredTags: ["propel:champions"],
      })),
    });

    // Another of our workers spent the bucket just now, and keeps spending while we push: the
    // pusher's first estimate is wrong and it must learn the real bucket from the answers.
    const bucket = runtime().bucket;
    bucket.take(bucket.status().currentlyAvailable);
    const competitor = setInterval(() => {
      if (bucket.status().currentlyAvailable >= 100) bucket.take(100);
    }, 2_000);
    const throttledBefore = bucket.throttledCount;
    let summary;
    try {
      summary = await tagsProcessor(prisma)({ data: { shopDomain: shop } } as Job<TagsJob>);
    } finally {
      clearInterval(competitor);
    }

    expect(summary).toMatchObject({ pushed: customers.length, failed: 0, bulk: false });
    // THROTTLED happened (the estimate was wrong at least once) and was waited out, and it
    // stayed rare: pacing, not retrying, carried the push.
    expect(summary.throttled).toBeGreaterThanOrEqual(1);
    expect(summary.throttled).toBe(bucket.throttledCount - throttledBefore);
    expect(summary.throttled).toBeLessThan(summary.requests / 2);
    const store = runtime().store;
    for (const customer of customers)
      expect(store.tags(store.customerIdxFromId(Number(customer.id)))).toContain(
        "propel:champions",
      );
    const states = await prisma.tagSyncState.groupBy({
      by: ["status"],
      where: { shopId: shopRow.id },
      _count: true,
    });
    expect(states).toEqual([{ status: "SYNCED", _count: customers.length }]);
    // The bucket the pusher saw is recorded for support staff.
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shopRow.id } });
    expect(after.throttleRestoreRate).toBe(100);
    expect(after.throttleObservedAt).not.toBeNull();
  });
});

describe("the tags client's retries", () => {
  const shopRow = {
    id: 0,
    domain: "fake.myshopify.com",
    throttleRestoreRate: 100,
    throttleMaximumAvailable: 2000,
    throttleCurrentlyAvailable: 2000,
  };
  const ok: RawResponse = {
    data: { ok: true },
    extensions: {
      cost: {
        requestedQueryCost: 10,
        throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 },
      },
    },
  };

  function scripted(answers: (RawResponse | Error)[]) {
    const waits: number[] = [];
    const client = new AdminClient(prisma, shopRow, {
      transport: async () => {
        const next = answers.shift();
        if (!next) throw new Error("no more answers");
        if (next instanceof Error) throw next;
        return next;
      },
      sleep: async (ms) => {
        waits.push(ms);
      },
      backoffMs: 100,
    });
    return { client, waits };
  }

  it("retries 5xx and network failures with growing backoff, then answers", async () => {
    const { client, waits } = scripted([
      new TransientError("503"),
      new TransientError("socket hang up"),
      ok,
    ]);
    expect(await client.request("query { shop { id } }", {}, 10)).toEqual({ ok: true });
    expect(client.stats).toMatchObject({ requests: 3, retried: 2, throttled: 0 });
    expect(waits).toEqual([100, 200]);
  });

  it("gives up after its attempts so the job can be retried later", async () => {
    const { client } = scripted(Array.from({ length: 6 }, () => new TransientError("502")));
    await expect(client.request("query { shop { id } }", {}, 10)).rejects.toThrow("502");
  });

  it("waits out THROTTLED for as long as the bucket needs, without an error", async () => {
    const { client, waits } = scripted([
      {
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: {
          cost: {
            requestedQueryCost: 500,
            throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 },
          },
        },
      },
      ok,
    ]);
    expect(await client.request("mutation { x }", {}, 500)).toEqual({ ok: true });
    expect(client.stats).toMatchObject({ throttled: 1, requests: 2 });
    // 400 points missing at 100 points/s, and a margin of half a second's refill after the surprise.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(4_400);
    expect(waits[0]).toBeLessThanOrEqual(4_500);
  });

  it("fails on errors that a retry cannot fix", async () => {
    const { client } = scripted([{ errors: [{ message: "Field 'x' doesn't exist" }] }]);
    await expect(client.request("mutation { x }", {}, 10)).rejects.toBeInstanceOf(
      GraphqlRequestError,
    );
  });
});
