import type { PrismaClient } from "@prisma/client";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";

export interface DependencyStatus {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface QueueStatus {
  name: string;
  paused: boolean;
  workers: number;
  counts: Record<string, number>;
}

export interface HealthReport {
  ok: boolean;
  checkedAt: string;
  postgres: DependencyStatus;
  redis: DependencyStatus;
  queues: QueueStatus[] | { error: string };
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${label} did not answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

async function probe(label: string, check: () => Promise<unknown>): Promise<DependencyStatus> {
  const started = performance.now();
  try {
    await withTimeout(check(), label);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function queueStatus(queue: Queue): Promise<QueueStatus> {
  const [counts, paused, workers] = await Promise.all([
    queue.getJobCounts("waiting", "active", "delayed", "completed", "failed"),
    queue.isPaused(),
    queue.getWorkersCount(),
  ]);
  return { name: queue.name, paused, workers, counts };
}

/** Checks PostgreSQL, Redis and the queues; `ok` is false when a dependency is down. */
export async function checkHealth(deps: {
  prisma: PrismaClient;
  redis: Redis;
  queues: Queue[];
}): Promise<HealthReport> {
  const [postgres, redis] = await Promise.all([
    probe("PostgreSQL", () => deps.prisma.$queryRaw`SELECT 1`),
    probe("Redis", () => deps.redis.ping()),
  ]);
  let queues: HealthReport["queues"];
  if (redis.ok) {
    try {
      queues = await withTimeout(Promise.all(deps.queues.map(queueStatus)), "Queues");
    } catch (error) {
      queues = { error: error instanceof Error ? error.message : String(error) };
    }
  } else {
    queues = { error: "Redis is unreachable" };
  }
  return {
    ok: postgres.ok && redis.ok && Array.isArray(queues),
    checkedAt: new Date().toISOString(),
    postgres,
    redis,
    queues,
  };
}
