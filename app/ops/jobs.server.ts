import type { Job, Queue } from "bullmq";
import { QUEUE_NAMES, type QueueName } from "~/jobs/queues";

/**
 * What support staff see of the BullMQ queues, built on BullMQ's own Queue API and shown in
 * the Remix ops pages, behind the same ops credentials and next to each shop's sync state.
 */
export type OpsQueues = Record<QueueName, Queue>;

export const JOB_STATES = [
  "waiting",
  "prioritized",
  "delayed",
  "active",
  "waiting-children",
  "completed",
  "failed",
] as const;
export type OpsJobState = (typeof JOB_STATES)[number];

export const PAGE_SIZE = 25;
/**
 * The per-shop history reads the newest jobs of each state of each queue and keeps the shop's:
 * BullMQ has no index by payload, and reading every kept job (up to 10,000 completed per queue)
 * on each page view would be slow. The page says when older jobs were left unread.
 */
export const SHOP_SCAN_PER_STATE = 500;

export function isQueueName(value: unknown): value is QueueName {
  return typeof value === "string" && (QUEUE_NAMES as readonly string[]).includes(value);
}

function isJobState(value: unknown): value is OpsJobState {
  return typeof value === "string" && (JOB_STATES as readonly string[]).includes(value);
}

function badRequest(reason: string, status = 400): Response {
  return new Response(reason, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** A queue named in the URL; an unknown one is a page that does not exist. */
export function parseQueueName(value: string | undefined | null, status: 400 | 404 = 404) {
  if (isQueueName(value)) return value;
  throw badRequest(
    `No queue named "${value ?? ""}": expected one of ${QUEUE_NAMES.join(", ")}`,
    status,
  );
}

export function parseState(value: string | null, fallback: OpsJobState = "failed"): OpsJobState {
  if (value === null || value === "") return fallback;
  if (isJobState(value)) return value;
  throw badRequest(`No job state "${value}": expected one of ${JOB_STATES.join(", ")}`);
}

export function parsePage(value: string | null): number {
  if (value === null || value === "") return 1;
  const page = Number(value);
  if (Number.isSafeInteger(page) && page >= 1) return page;
  throw badRequest(`Page "${value}" is not a positive whole number`);
}

export function parseJobId(value: string | undefined | null): string {
  if (value && value.length <= 512) return value;
  throw badRequest("A job id is required");
}

const emptyCounts = (): Record<OpsJobState, number> =>
  Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<OpsJobState, number>;

async function countsOf(queue: Queue): Promise<Record<OpsJobState, number>> {
  const counts = await queue.getJobCounts(...JOB_STATES);
  const result = emptyCounts();
  for (const state of JOB_STATES) result[state] = counts[state] ?? 0;
  return result;
}

export async function queueOverview(all: OpsQueues) {
  return Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const [counts, paused] = await Promise.all([countsOf(all[name]), all[name].isPaused()]);
      return { name, paused, counts };
    }),
  );
}

const iso = (millis: number | null | undefined) => (millis ? new Date(millis).toISOString() : null);

/** The line a list shows for an error; the whole message and stack are on the job's page. */
function errorSummary(reason: string | null | undefined): string | null {
  if (!reason) return null;
  const [first = ""] = reason.split("\n");
  return first.length > 200 ? `${first.slice(0, 199)}…` : first;
}

function shopOf(job: Job): string | null {
  const data: unknown = job.data;
  if (data && typeof data === "object" && "shopDomain" in data) {
    return typeof data.shopDomain === "string" ? data.shopDomain : null;
  }
  return null;
}

function summarize(queue: QueueName, job: Job, state: OpsJobState | "unknown") {
  return {
    queue,
    id: job.id ?? "",
    name: job.name,
    state,
    shopDomain: shopOf(job),
    createdAt: iso(job.timestamp),
    processedAt: iso(job.processedOn),
    finishedAt: iso(job.finishedOn),
    durationMs: job.processedOn && job.finishedOn ? job.finishedOn - job.processedOn : null,
    attemptsMade: job.attemptsMade,
    attemptsAllowed: job.opts.attempts ?? 1,
    error: errorSummary(job.failedReason),
  };
}
export type JobSummary = ReturnType<typeof summarize>;

/** One page of a queue's jobs in one state, newest first. */
export async function jobPage(all: OpsQueues, name: QueueName, state: OpsJobState, page: number) {
  const queue = all[name];
  const start = (page - 1) * PAGE_SIZE;
  const [counts, paused, jobs] = await Promise.all([
    countsOf(queue),
    queue.isPaused(),
    queue.getJobs([state], start, start + PAGE_SIZE - 1),
  ]);
  const total = counts[state];
  return {
    queue: name,
    state,
    paused,
    counts,
    page,
    pageSize: PAGE_SIZE,
    total,
    hasPrevious: page > 1,
    hasNext: start + PAGE_SIZE < total,
    jobs: jobs.map((job) => summarize(name, job, state)),
  };
}

const toJson = (value: unknown) => (value === undefined ? null : JSON.stringify(value, null, 2));

export async function jobDetail(all: OpsQueues, name: QueueName, id: string) {
  const job = await all[name].getJob(id);
  if (!job) throw badRequest(`No job ${id} in queue ${name}`, 404);
  const state = await job.getState();
  return {
    ...summarize(name, job, state === "unknown" ? "unknown" : state),
    payload: toJson(job.data),
    returnValue: toJson(job.returnvalue),
    failedReason: job.failedReason || null,
    // BullMQ keeps one stack per failed attempt, oldest first, up to opts.stackTraceLimit.
    stacktrace: (job.stacktrace ?? []).filter((trace): trace is string => Boolean(trace)),
    // The last delay asked for, counted from when the job was added or last failed.
    delayMs: job.delay ?? 0,
    attemptsStarted: job.attemptsStarted,
    stalledCounter: job.stalledCounter,
    options: toJson(job.opts),
    canRetry: state === "failed",
    canRemove: state !== "active",
  };
}

/** A shop's jobs across all queues, newest first, from the newest jobs of every state. */
export async function shopJobs(all: OpsQueues, shopDomain: string, limit = SHOP_SCAN_PER_STATE) {
  const perQueue = await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = all[name];
      const counts = await countsOf(queue);
      const perState = await Promise.all(
        JOB_STATES.filter((state) => counts[state] > 0).map(async (state) => {
          const jobs = await queue.getJobs([state], 0, limit - 1);
          return {
            unread: Math.max(0, counts[state] - limit),
            jobs: jobs
              .filter((job) => shopOf(job) === shopDomain)
              .map((job) => summarize(name, job, state)),
          };
        }),
      );
      return perState;
    }),
  );
  const scans = perQueue.flat();
  // A job that moved on between two reads (waiting, then active) is listed once.
  const unique = new Map(
    scans.flatMap((scan) => scan.jobs).map((job) => [`${job.queue}/${job.id}`, job]),
  );
  return {
    scannedPerState: limit,
    // Jobs older than the scanned window exist in some state: the history may be incomplete.
    unread: scans.reduce((sum, scan) => sum + scan.unread, 0),
    jobs: [...unique.values()].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "")),
  };
}

export type JobActionResult =
  | { ok: true; intent: "retry" | "remove"; queue: QueueName; id: string; from: OpsJobState }
  | { ok: true; intent: "pause" | "resume"; queue: QueueName }
  | { ok: false; status: 404 | 409; error: string };

/**
 * Runs one ops form post. Malformed posts (unknown intent or queue, no job id) throw a 400;
 * a job that is gone or in the wrong state is an answer for the page to show, not a crash.
 */
export async function runJobAction(
  all: OpsQueues,
  form: FormData,
  // What the page's URL names wins over form fields: a post to a job's page acts on that job.
  fixed: { queue?: QueueName; id?: string } = {},
): Promise<JobActionResult> {
  const intent = form.get("intent");
  const field = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : null;
  };
  const queue = fixed.queue ?? parseQueueName(field("queue"), 400);
  switch (intent) {
    case "pause":
      await all[queue].pause();
      return { ok: true, intent, queue };
    case "resume":
      await all[queue].resume();
      return { ok: true, intent, queue };
    case "retry":
    case "remove": {
      const id = fixed.id ?? parseJobId(field("id"));
      const job = await all[queue].getJob(id);
      if (!job) return { ok: false, status: 404, error: `Job ${id} no longer exists in ${queue}` };
      const state = await job.getState();
      if (state === "unknown") {
        return { ok: false, status: 404, error: `Job ${id} no longer exists in ${queue}` };
      }
      if (intent === "retry") {
        if (state !== "failed") {
          return { ok: false, status: 409, error: `Job ${id} is ${state}: only failed jobs retry` };
        }
        // A retry after a fix gets the queue's whole retry policy again, not one last attempt.
        await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
        return { ok: true, intent, queue, id, from: state };
      }
      if (state === "active") {
        return { ok: false, status: 409, error: `Job ${id} is running: remove it once it ends` };
      }
      try {
        await job.remove();
      } catch (error) {
        // A worker took the job between the state check and the removal.
        return { ok: false, status: 409, error: `Job ${id}: ${(error as Error).message}` };
      }
      return { ok: true, intent, queue, id, from: state };
    }
    default:
      throw badRequest(`Unknown intent "${String(intent)}": expected pause, resume, retry, remove`);
  }
}
