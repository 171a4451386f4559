/**
 * The queues shared by the web process (producer) and the workers (consumers), with the
 * payload each one carries. Every job is idempotent: running it twice leaves the same state.
 */
export const QUEUE_NAMES = ["webhooks", "backfill", "recompute", "tags"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

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

export interface JobPayloads {
  webhooks: WebhookJob;
  backfill: BackfillJob;
  recompute: RecomputeJob;
  tags: TagsJob;
}

/** Retries with exponential backoff; finished jobs are kept long enough for support to look. */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
} as const;
