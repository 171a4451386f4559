import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createPrismaClient } from "~/db.server";
import { checkHealth } from "~/health.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { createQueues } from "~/jobs/producer.server";
import { loader } from "~/routes/healthz";

describe("GET /healthz", () => {
  const deadRedis = createRedisConnection("redis://127.0.0.1:1", "producer");
  deadRedis.on("error", () => undefined);
  const deadPrisma = createPrismaClient("postgresql://postgres@127.0.0.1:1/propel");

  afterAll(async () => {
    deadRedis.disconnect();
    await deadPrisma.$disconnect();
  });

  it("reports PostgreSQL, Redis and every queue as up with 200", async () => {
    const response = await loader();
    expect(response.status).toBe(200);
    const report = await response.json();
    expect(report.ok).toBe(true);
    expect(report.postgres.ok).toBe(true);
    expect(report.redis.ok).toBe(true);
    expect(report.queues.map((queue: { name: string }) => queue.name)).toEqual([
      "webhooks",
      "backfill",
      "recompute",
      "tags",
      "maintenance",
      "recovery",
    ]);
    expect(report.queues[0].counts).toHaveProperty("failed");
  });

  it("is not ok when PostgreSQL is down, naming the failure", async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    const report = await checkHealth({
      prisma: deadPrisma,
      redis,
      queues: Object.values(createQueues(redis, process.env.QUEUE_PREFIX!)),
    });
    redis.disconnect();
    expect(report.ok).toBe(false);
    expect(report.postgres.ok).toBe(false);
    expect(report.postgres.error).toBeTruthy();
    expect(report.redis.ok).toBe(true);
  });

  it("is not ok when Redis is down, and says the queues cannot be read", async () => {
    const { default: prisma } = await import("~/db.server");
    const report = await checkHealth({
      prisma,
      redis: deadRedis,
      queues: Object.values(createQueues(deadRedis, "unused")),
    });
    expect(report.ok).toBe(false);
    expect(report.postgres.ok).toBe(true);
    expect(report.redis.ok).toBe(false);
    expect(report.queues).toEqual({ error: "Redis is unreachable" });
  });
});
