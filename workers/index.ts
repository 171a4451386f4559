import { config } from "~/config.server";
import prisma from "~/db.server";
import { createRedisConnection } from "~/jobs/connection.server";
import { logger } from "~/logger.server";
import { startWorkers } from "./start";

// The worker process: one BullMQ worker per queue. SIGTERM (a deploy) and SIGINT stop taking
// new jobs, let active ones finish, then close connections; a job cut off by a crash instead
// is picked up again by BullMQ's stalled-job check and retried.
const env = config();
const log = logger.child({ service: "worker" });
const connection = createRedisConnection(env.REDIS_URL, "worker");
connection.on("error", (error) => log.error({ err: error }, "redis connection error"));
connection.on("reconnecting", () => log.warn("reconnecting to redis"));

const running = startWorkers({
  prisma,
  connection,
  prefix: env.QUEUE_PREFIX,
  concurrency: env.WORKER_CONCURRENCY,
  lockDurationMs: env.WORKER_LOCK_DURATION_MS,
  recomputeLockDurationMs: env.WORKER_RECOMPUTE_LOCK_DURATION_MS,
  logger: log,
  recovery: { intervalMs: env.RECOVERY_INTERVAL_MS, deliveryGraceMs: env.DELIVERY_GRACE_MS },
});
log.info({ queues: running.workers.map((worker) => worker.name) }, "workers started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down: finishing active jobs");
  const forced = setTimeout(() => {
    log.error("active jobs did not finish within 30 s; exiting, they will be retried");
    process.exit(1);
  }, 30_000);
  forced.unref();
  await running.close();
  await prisma.$disconnect();
  connection.disconnect();
  log.info("stopped");
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
