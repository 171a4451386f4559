import { Redis, type RedisOptions } from "ioredis";

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` so a blocking call
 * waits out a Redis restart instead of failing; producers give up after one reconnect attempt so
 * a request fails instead of hanging.
 */
export function createRedisConnection(url: string, role: "producer" | "worker"): Redis {
  const options: RedisOptions =
    role === "worker"
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, connectTimeout: 2_000 };
  return new Redis(url, { ...options, lazyConnect: false });
}
