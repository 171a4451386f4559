import { Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { queues } from "~/jobs/producer.server";
import { loader as shopLoader } from "~/routes/ops.shops.$domain";
import { action as jobAction, loader as jobLoader } from "~/routes/ops.jobs.$queue.$id";
import { action as queueAction, loader as queueLoader } from "~/routes/ops.jobs.$queue._index";
import { action as overviewAction, loader as overviewLoader } from "~/routes/ops.jobs._index";

// Other integration files share the run's prefix and leave jobs behind; this file's counts
// must be exact, so its queues live under a prefix of their own. Hoisted above the imports
// because importing the database module already reads (and caches) the configuration.
const prefix = vi.hoisted(() => {
  const own = `${process.env.QUEUE_PREFIX}_opsjobs`;
  process.env.QUEUE_PREFIX = own;
  return own;
});

const shopA = "ops-jobs-a.myshopify.com";
const shopB = "ops-jobs-b.myshopify.com";
const auth = {
  Authorization: `Basic ${Buffer.from(`support:${process.env.OPS_PASSWORD}`).toString("base64")}`,
};

type Args = { request: Request; params?: Record<string, string> };

async function call(route: (args: never) => Promise<unknown>, { request, params = {} }: Args) {
  try {
    return await route({ request, params, context: {} } as never);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

const get = (path: string, headers: Record<string, string> = auth) =>
  new Request(`http://ops.test${path}`, { headers });

const post = (
  path: string,
  fields: Record<string, string>,
  headers: Record<string, string> = auth,
) =>
  new Request(`http://ops.test${path}`, {
    method: "POST",
    headers,
    body: new URLSearchParams(fields),
  });

/** The status of a thrown Response, a returned redirect, or a `data(..., { status })`. */
function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status;
  const init = (result as { init?: { status?: number } | null }).init;
  return init?.status ?? 200;
}

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("ops job pages", () => {
  const all = queues();
  expect(all.webhooks.opts.prefix).toBe(prefix);
  const workerConnection = createRedisConnection(process.env.REDIS_URL!, "worker");
  let worker: Worker | undefined;
  let failedId: string;
  let waitingIds: string[];

  beforeAll(async () => {
    await prisma.shop.createMany({ data: [{ domain: shopA }, { domain: shopB }] });

    waitingIds = await Promise.all(
      [shopA, shopA, shopB].map(async (shopDomain, index) => {
        const job = await all.webhooks.add("orders/create", {
          deliveryId: String(index + 1),
          shopDomain,
          topic: "orders/create",
        });
        return job.id!;
      }),
    );
    await all.backfill.add("backfill", { shopDomain: shopA, kind: "BACKFILL" }, { delay: 60_000 });

    // A real worker whose processor throws, so BullMQ records a real stack per attempt.
    const failing = await all.recompute.add(
      "recompute",
      { shopDomain: shopA, full: true },
      { attempts: 2, backoff: { type: "fixed", delay: 0 } },
    );
    await all.recompute.add("recompute", { shopDomain: shopB, full: false });
    failedId = failing.id!;
    worker = new Worker(
      "recompute",
      async (job: Job<{ full: boolean }>) => {
        if (job.data.full) throw new Error("model refit exploded");
        return { rescored: 3 };
      },
      { connection: workerConnection, prefix },
    );
    await until(async () => {
      const counts = await all.recompute.getJobCounts("failed", "completed");
      return counts.failed === 1 && counts.completed === 1 ? counts : undefined;
    }, "one failed and one completed recompute job");
    // Stopped so that a retried job stays waiting for the assertions below.
    await worker.close();
    worker = undefined;
  });

  afterAll(async () => {
    await worker?.close();
    await Promise.all(Object.values(all).map((queue) => queue.obliterate({ force: true })));
    await Promise.all(Object.values(all).map((queue) => queue.close()));
    workerConnection.disconnect();
    const redis = new Redis(process.env.REDIS_URL!);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    globalThis.__propelQueues?.connection.disconnect();
    globalThis.__propelQueues = undefined;
    await prisma.shop.deleteMany({ where: { domain: { in: [shopA, shopB] } } });
  });

  it("challenges loaders and actions without the ops credentials", async () => {
    const failedPath = `/ops/jobs/recompute/${failedId}`;
    const anonymous = [
      await call(overviewLoader, { request: get("/ops/jobs", {}) }),
      await call(queueLoader, {
        request: get("/ops/jobs/recompute", {}),
        params: { queue: "recompute" },
      }),
      await call(jobLoader, {
        request: get(failedPath, {}),
        params: { queue: "recompute", id: failedId },
      }),
      await call(overviewAction, {
        request: post("/ops/jobs?index", { intent: "pause", queue: "tags" }, {}),
      }),
      await call(queueAction, {
        request: post("/ops/jobs/recompute?index", { intent: "retry", id: failedId }, {}),
        params: { queue: "recompute" },
      }),
      await call(jobAction, {
        request: post(failedPath, { intent: "remove" }, {}),
        params: { queue: "recompute", id: failedId },
      }),
    ];
    expect(anonymous.map(statusOf)).toEqual([401, 401, 401, 401, 401, 401]);
    expect(await all.tags.isPaused()).toBe(false);
    expect(await all.recompute.getJobState(failedId)).toBe("failed");
  });

  it("counts each queue's jobs by state", async () => {
    const { queues: overview } = (await call(overviewLoader, { request: get("/ops/jobs") })) as {
      queues: { name: string; paused: boolean; counts: Record<string, number> }[];
    };
    const counts = Object.fromEntries(overview.map((queue) => [queue.name, queue.counts]));
    expect(counts.webhooks).toMatchObject({ waiting: 3, active: 0, delayed: 0, failed: 0 });
    expect(counts.backfill).toMatchObject({ waiting: 0, delayed: 1, completed: 0 });
    expect(counts.recompute).toMatchObject({ waiting: 0, completed: 1, failed: 1 });
    expect(counts.tags).toMatchObject({ waiting: 0, completed: 0, failed: 0 });
    expect(overview.every((queue) => !queue.paused)).toBe(true);
  });

  it("lists a queue's jobs in one state, page by page", async () => {
    const page = (await call(queueLoader, {
      request: get("/ops/jobs/webhooks?state=waiting&page=1"),
      params: { queue: "webhooks" },
    })) as { total: number; hasNext: boolean; jobs: { id: string; shopDomain: string }[] };
    expect(page.total).toBe(3);
    expect(page.hasNext).toBe(false);
    expect(page.jobs.map((job) => job.id).sort()).toEqual([...waitingIds].sort());

    const failed = (await call(queueLoader, {
      request: get("/ops/jobs/recompute"),
      params: { queue: "recompute" },
    })) as { state: string; jobs: { id: string; error: string; attemptsMade: number }[] };
    expect(failed.state).toBe("failed");
    expect(failed.jobs).toMatchObject([
      { id: failedId, error: "model refit exploded", attemptsMade: 2 },
    ]);
  });

  it("shows one shop's jobs across all queues and no other shop's", async () => {
    const page = (await call(shopLoader, {
      request: get(`/ops/shops/${shopA}`),
      params: { domain: shopA },
    })) as {
      jobs: {
        error: string | null;
        found: number;
        jobs: { queue: string; state: string; shopDomain: string; durationMs: number | null }[];
      };
    };
    expect(page.jobs.error).toBeNull();
    expect(page.jobs.found).toBe(4);
    expect(page.jobs.jobs.every((job) => job.shopDomain === shopA)).toBe(true);
    expect(page.jobs.jobs.map((job) => `${job.queue}:${job.state}`).sort()).toEqual([
      "backfill:delayed",
      "recompute:failed",
      "webhooks:waiting",
      "webhooks:waiting",
    ]);
    const failed = page.jobs.jobs.find((job) => job.state === "failed")!;
    expect(failed.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("shows a failed job's payload, attempts and every stack trace", async () => {
    const job = (await call(jobLoader, {
      request: get(`/ops/jobs/recompute/${failedId}`),
      params: { queue: "recompute", id: failedId },
    })) as {
      state: string;
      payload: string;
      attemptsMade: number;
      attemptsAllowed: number;
      failedReason: string;
      stacktrace: string[];
      canRetry: boolean;
      processedAt: string | null;
      finishedAt: string | null;
    };
    expect(job.state).toBe("failed");
    expect(JSON.parse(job.payload)).toEqual({ shopDomain: shopA, full: true });
    expect(job).toMatchObject({ attemptsMade: 2, attemptsAllowed: 2, canRetry: true });
    expect(job.failedReason).toBe("model refit exploded");
    expect(job.stacktrace).toHaveLength(2);
    expect(job.stacktrace[0]).toMatch(/^Error: model refit exploded\n\s+at .*ops-jobs\.test\.ts/);
    expect(job.processedAt).not.toBeNull();
    expect(job.finishedAt).not.toBeNull();
  });

  it("answers unknown queues, states and jobs with a reason", async () => {
    const noQueue = (await call(queueLoader, {
      request: get("/ops/jobs/nope"),
      params: { queue: "nope" },
    })) as Response;
    expect(noQueue.status).toBe(404);
    expect(await noQueue.text()).toMatch(/No queue named "nope"/);

    const badState = (await call(queueLoader, {
      request: get("/ops/jobs/webhooks?state=stuck"),
      params: { queue: "webhooks" },
    })) as Response;
    expect(badState.status).toBe(400);

    const badPage = await call(queueLoader, {
      request: get("/ops/jobs/webhooks?page=0"),
      params: { queue: "webhooks" },
    });
    expect(statusOf(badPage)).toBe(400);

    const noJob = await call(jobLoader, {
      request: get("/ops/jobs/webhooks/999999"),
      params: { queue: "webhooks", id: "999999" },
    });
    expect(statusOf(noJob)).toBe(404);

    const badForm = await call(overviewAction, {
      request: post("/ops/jobs?index", { intent: "pause", queue: "nope" }),
    });
    expect(statusOf(badForm)).toBe(400);
    const badIntent = await call(overviewAction, {
      request: post("/ops/jobs?index", { intent: "explode", queue: "tags" }),
    });
    expect(statusOf(badIntent)).toBe(400);
  });

  it("refuses posts from another site", async () => {
    const forged = await call(overviewAction, {
      request: post(
        "/ops/jobs?index",
        { intent: "pause", queue: "tags" },
        { ...auth, "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" },
      ),
    });
    expect(statusOf(forged)).toBe(403);
    expect(await all.tags.isPaused()).toBe(false);
  });

  it("retries only failed jobs, and a retried job waits to run again", async () => {
    const notFailed = (await call(queueAction, {
      request: post("/ops/jobs/webhooks?state=waiting&index", {
        intent: "retry",
        id: waitingIds[0]!,
      }),
      params: { queue: "webhooks" },
    })) as { data: { error: string } };
    expect(statusOf(notFailed)).toBe(409);
    expect(notFailed.data.error).toMatch(/only failed jobs retry/);

    const retried = (await call(jobAction, {
      request: post(
        `/ops/jobs/recompute/${failedId}`,
        { intent: "retry" },
        {
          ...auth,
          "Sec-Fetch-Site": "same-origin",
        },
      ),
      params: { queue: "recompute", id: failedId },
    })) as Response;
    expect(retried.status).toBe(302);
    expect(retried.headers.get("Location")).toBe(`/ops/jobs/recompute/${failedId}`);
    expect(await all.recompute.getJobState(failedId)).toBe("waiting");
    const job = await all.recompute.getJob(failedId);
    expect(job?.attemptsMade).toBe(0);
  });

  it("removes a job and returns to the list it was in", async () => {
    const removed = (await call(queueAction, {
      request: post("/ops/jobs/webhooks?state=waiting&index", {
        intent: "remove",
        id: waitingIds[0]!,
      }),
      params: { queue: "webhooks" },
    })) as Response;
    expect(removed.status).toBe(302);
    expect(removed.headers.get("Location")).toBe("/ops/jobs/webhooks?state=waiting");
    expect(await all.webhooks.getJob(waitingIds[0]!)).toBeUndefined();
    expect(await all.webhooks.getWaitingCount()).toBe(2);

    const fromJobPage = (await call(jobAction, {
      request: post(`/ops/jobs/webhooks/${waitingIds[1]}`, { intent: "remove" }),
      params: { queue: "webhooks", id: waitingIds[1]! },
    })) as Response;
    expect(fromJobPage.headers.get("Location")).toBe("/ops/jobs/webhooks?state=waiting");
    expect(await all.webhooks.getJob(waitingIds[1]!)).toBeUndefined();

    const again = (await call(jobAction, {
      request: post(`/ops/jobs/webhooks/${waitingIds[1]}`, { intent: "remove" }),
      params: { queue: "webhooks", id: waitingIds[1]! },
    })) as { data: { error: string } };
    expect(statusOf(again)).toBe(404);
    expect(again.data.error).toMatch(/no longer exists/);
  });

  it("pauses and resumes a queue", async () => {
    const paused = await call(overviewAction, {
      request: post("/ops/jobs?index", { intent: "pause", queue: "tags" }),
    });
    expect(statusOf(paused)).toBe(302);
    expect(await all.tags.isPaused()).toBe(true);
    const overview = (await call(overviewLoader, { request: get("/ops/jobs") })) as {
      queues: { name: string; paused: boolean }[];
    };
    expect(overview.queues.find((queue) => queue.name === "tags")?.paused).toBe(true);

    await call(overviewAction, {
      request: post("/ops/jobs?index", { intent: "resume", queue: "tags" }),
    });
    expect(await all.tags.isPaused()).toBe(false);
  });
});
