/**
 * Webhook delivery like Shopify's: JSON body signed with the app secret (base64 HMAC-SHA256 in
 * `X-Shopify-Hmac-Sha256`), the X-Shopify-* headers, a 5 s timeout, and on a non-2xx or timeout
 * 8 retries over about 4 hours (schedule scaled by `retryScale` so tests run it in ms).
 * Switches emulate what a real app must survive: duplicates, reordering, delay, drops.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Rng } from "../util/rng.js";
import type { Clock } from "../util/clock.js";

/** Seconds between attempts after the first failure: 8 retries, ~4 h in total. */
export const RETRY_SCHEDULE_SECONDS = [60, 120, 240, 480, 960, 1920, 3840, 6840];

export interface WebhookTarget {
  uri: string;
  apiVersion: string;
  subscriptionId?: string;
}

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error?: string;
  durationMs: number;
}

export interface DeliveryRecord {
  webhookId: string;
  eventId: string;
  topic: string;
  shop: string;
  uri: string;
  apiVersion: string;
  triggeredAt: string;
  body: string;
  attempts: DeliveryAttempt[];
  state: "pending" | "held" | "delivered" | "failed" | "dropped";
  duplicateOf?: string;
}

export interface WebhookSwitches {
  /** Probability (0..1) that an event is delivered twice (same webhook and event id). */
  duplicate: number;
  /** Hold this many events and release them shuffled (0/1 = off). */
  reorderBatch: number;
  /** Release a partially filled reorder batch after this many ms. */
  reorderFlushMs: number;
  /** Delay every first attempt by this many ms. */
  delayMs: number;
  /** Probability (0..1) that an event is silently never delivered. */
  drop: number;
}

export const DEFAULT_SWITCHES: WebhookSwitches = {
  duplicate: 0,
  reorderBatch: 0,
  reorderFlushMs: 1000,
  delayMs: 0,
  drop: 0,
};

export interface DispatcherOptions {
  apiSecret: string;
  clock: Clock;
  /** Multiplies RETRY_SCHEDULE_SECONDS·1000 (1 = real time; 0.001 = ms). */
  retryScale?: number;
  timeoutMs?: number;
  seed?: number | string;
  switches?: Partial<WebhookSwitches>;
  /** Keep at most this many delivery records (oldest dropped first). Default 20,000. */
  maxLogEntries?: number;
}

export class WebhookDispatcher {
  readonly log: DeliveryRecord[] = [];
  switches: WebhookSwitches;
  retryScale: number;
  private readonly timeoutMs: number;
  private readonly rng: Rng;
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: DeliveryRecord[] = [];
  private holdTimer: NodeJS.Timeout | undefined;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly maxLog: number;

  constructor(private readonly opts: DispatcherOptions) {
    this.switches = { ...DEFAULT_SWITCHES, ...opts.switches };
    this.retryScale = opts.retryScale ?? 1;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.rng = new Rng(opts.seed ?? "webhooks");
    this.maxLog = opts.maxLogEntries ?? 20_000;
  }

  private record(rec: DeliveryRecord): void {
    this.log.push(rec);
    // a tag push to a million customers must not keep a million bodies around
    if (this.log.length > this.maxLog * 1.1) this.log.splice(0, this.log.length - this.maxLog);
  }

  sign(body: string): string {
    return createHmac("sha256", this.opts.apiSecret).update(body, "utf8").digest("base64");
  }

  /** Queue one event for each target. */
  emit(shop: string, topic: string, payload: unknown, targets: WebhookTarget[]): DeliveryRecord[] {
    const body = JSON.stringify(payload);
    const triggeredAt = new Date(this.opts.clock.now()).toISOString();
    const out: DeliveryRecord[] = [];
    for (const t of targets) {
      const rec: DeliveryRecord = {
        webhookId: randomUUID(),
        eventId: randomUUID(),
        topic,
        shop,
        uri: t.uri,
        apiVersion: t.apiVersion,
        triggeredAt,
        body,
        attempts: [],
        state: "pending",
      };
      this.record(rec);
      out.push(rec);
      if (this.switches.drop > 0 && this.rng.chance(this.switches.drop)) {
        rec.state = "dropped";
        continue;
      }
      const copies: DeliveryRecord[] = [rec];
      if (this.switches.duplicate > 0 && this.rng.chance(this.switches.duplicate)) {
        const dup: DeliveryRecord = { ...rec, attempts: [], duplicateOf: rec.webhookId };
        this.record(dup);
        copies.push(dup);
      }
      for (const c of copies) this.enqueue(c);
    }
    return out;
  }

  private enqueue(rec: DeliveryRecord): void {
    this.pending++;
    if (this.switches.reorderBatch > 1) {
      rec.state = "held";
      this.held.push(rec);
      if (this.held.length >= this.switches.reorderBatch) this.flushHeld();
      else if (!this.holdTimer) {
        this.holdTimer = setTimeout(() => this.flushHeld(), this.switches.reorderFlushMs);
        this.timers.add(this.holdTimer);
      }
      return;
    }
    this.schedule(rec, this.switches.delayMs, 0);
  }

  /** Release held events in a shuffled order. */
  flushHeld(): void {
    if (this.holdTimer) {
      clearTimeout(this.holdTimer);
      this.timers.delete(this.holdTimer);
      this.holdTimer = undefined;
    }
    const batch = this.held;
    this.held = [];
    for (let i = batch.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.next() * (i + 1));
      const tmp = batch[i] as DeliveryRecord;
      batch[i] = batch[j] as DeliveryRecord;
      batch[j] = tmp;
    }
    // sequential release keeps the shuffled order observable
    let chain = Promise.resolve();
    for (const rec of batch) {
      rec.state = "pending";
      chain = chain.then(() => this.attempt(rec, 0));
    }
  }

  private schedule(rec: DeliveryRecord, delayMs: number, attemptNo: number): void {
    if (this.closed) return;
    if (delayMs <= 0) {
      void this.attempt(rec, attemptNo);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(rec, attemptNo);
    }, delayMs);
    this.timers.add(timer);
  }

  private async attempt(rec: DeliveryRecord, attemptNo: number): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    let status: number | null = null;
    let error: string | undefined;
    const ac = new AbortController();
    const timeout = setTimeout(() => ac.abort(), this.timeoutMs);
    try {
      const res = await fetch(rec.uri, {
        method: "POST",
        body: rec.body,
        signal: ac.signal,
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Shopify-Captain-Hook",
          "X-Shopify-Hmac-Sha256": this.sign(rec.body),
          "X-Shopify-Topic": rec.topic,
          "X-Shopify-Shop-Domain": rec.shop,
          "X-Shopify-API-Version": rec.apiVersion,
          "X-Shopify-Webhook-Id": rec.webhookId,
          "X-Shopify-Event-Id": rec.eventId,
          "X-Shopify-Triggered-At": rec.triggeredAt,
        },
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = ac.signal.aborted
        ? `timeout after ${this.timeoutMs} ms`
        : e instanceof Error
          ? e.message
          : String(e);
    } finally {
      clearTimeout(timeout);
    }
    rec.attempts.push({
      at: new Date(this.opts.clock.now()).toISOString(),
      status,
      error,
      durationMs: Date.now() - started,
    });
    const ok = status !== null && status >= 200 && status < 300;
    if (ok) {
      rec.state = "delivered";
      this.settle();
      return;
    }
    const wait = RETRY_SCHEDULE_SECONDS[attemptNo];
    if (wait === undefined || this.closed) {
      rec.state = "failed";
      this.settle();
      return;
    }
    rec.state = "pending";
    this.schedule(rec, Math.max(1, wait * 1000 * this.retryScale), attemptNo + 1);
  }

  private settle(): void {
    this.pending--;
    if (this.pending <= 0) {
      this.pending = 0;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    }
  }

  /** Resolves when nothing is waiting to be delivered or retried (held batches are flushed). */
  async idle(): Promise<void> {
    if (this.held.length > 0) this.flushHeld();
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending = 0;
    for (const f of this.waiters) f();
    this.waiters = [];
  }
}
