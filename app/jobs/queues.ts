/**
 * The queues shared by the web process (producer) and the workers (consumers), with the
 * payload each one carries. Every job is idempotent: running it twice leaves the same state.
 */
export const QUEUE_NAMES = [
  "webhooks",
  "backfill",
  "recompute",
  "tags",
  "maintenance",
  "recovery",
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * Deliveries Shopify will never send again and that the law requires Propel to act on: they
 * stay queued through an uninstall (a `shop/redact` follows every uninstall by 48 hours).
 */
export const COMPLIANCE_TOPICS: ReadonlySet<string> = new Set([
  "customers/data_request",
  "customers/redact",
  "shop/redact",
]);

export interface WebhookJob {
  /** Row id of the WebhookDelivery that recorded this delivery. */
  deliveryId: string;
  shopDomain: string;
  topic: string;
}

export interface BackfillJob {
  shopDomain: string;
  kind: "BACKFILL" | "RECONCILE";
}

export interface RecomputeJob {
  shopDomain: string;
  /** A full recompute refits the models; the incremental path rescores changed customers. */
  full: boolean;
}

export interface TagsJob {
  shopDomain: string;
}

/** Jobs that are about no shop: the daily retention pass (app/jobs/retention.server.ts). */
export type MaintenanceJob = Record<string, never>;
/** The recovery sweep (app/jobs/recovery.server.ts) reads everything it needs from PostgreSQL. */
export type RecoveryJob = Record<string, never>;

export interface JobPayloads {
  webhooks: WebhookJob;
  backfill: BackfillJob;
  recompute: RecomputeJob;
  tags: TagsJob;
  maintenance: MaintenanceJob;
  recovery: RecoveryJob;
}

/** Retries with exponential backoff; finished jobs are kept long enough for support to look. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  // Capped by count as well as age: under `noeviction` a long outage that fails every job
  // would otherwise fill Redis and stop the intake of every shop.
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
} as const;

/**
 * Webhook jobs retry like Shopify retries its deliveries: over hours, not minutes, so an
 * outage of the Admin API (every webhook re-reads its order or customer from it) does not end
 * acknowledged deliveries FAILED. Exponential from 2 s, capped at 30 min a wait
 * (`CAPPED_EXPONENTIAL`, a backoff strategy every worker registers): 2 s … 17 min over the
 * first ten retries (34 min), then eight waits of 30 min — 19 attempts over about 4 h 34 min.
 */
export const CAPPED_EXPONENTIAL = "capped-exponential";
export const WEBHOOK_BACKOFF_CAP_MS = 30 * 60_000;
export const WEBHOOK_JOB_OPTIONS = {
  ...DEFAULT_JOB_OPTIONS,
  attempts: 19,
  backoff: { type: CAPPED_EXPONENTIAL, delay: 2_000 },
} as const;

/** The wait before retry `attemptsMade` (1 = the first retry) of a capped-exponential job. */
export function cappedExponentialDelay(attemptsMade: number, delayMs: number): number {
  return Math.min(WEBHOOK_BACKOFF_CAP_MS, delayMs * 2 ** Math.max(0, attemptsMade - 1));
}

/** Default job options of each queue. */
export function jobOptionsFor(name: QueueName) {
  return name === "webhooks" ? WEBHOOK_JOB_OPTIONS : DEFAULT_JOB_OPTIONS;
}
