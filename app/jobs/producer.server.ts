import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { config } from "~/config.server";
import { createRedisConnection } from "./connection.server";
import { QUEUE_NAMES, jobOptionsFor, type JobPayloads, type QueueName } from "./queues";

type Queues = { [Name in QueueName]: Queue<JobPayloads[Name]> };

declare global {
  var __propelQueues: { connection: Redis; queues: Queues } | undefined;
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const entries = QUEUE_NAMES.map((name) => {
    const queue = new Queue(name, { connection, prefix, defaultJobOptions: jobOptionsFor(name) });
    // Connection errors surface where they matter: in /healthz and as failed adds.
    queue.on("error", () => undefined);
    return [name, queue];
  });
  return Object.fromEntries(entries) as Queues;
}

/** The web process's queues, created once per process. */
export function queues(): Queues {
  globalThis.__propelQueues ??= (() => {
    const connection = createRedisConnection(config().REDIS_URL, "producer");
    // A producer without Redis answers requests with errors; it must not crash the process.
    connection.on("error", () => undefined);
    return { connection, queues: createQueues(connection, config().QUEUE_PREFIX) };
  })();
  return globalThis.__propelQueues.queues;
}

export function redis(): Redis {
  queues();
  return globalThis.__propelQueues!.connection;
}
