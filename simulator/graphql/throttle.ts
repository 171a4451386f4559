/** Shopify's calculated-query-cost leaky bucket, one per shop (and app). */
import type { Clock } from "../util/clock.js";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class LeakyBucket {
  private available: number;
  private last: number;
  throttledCount = 0;
  requestCount = 0;

  constructor(
    private restoreRate: number,
    private readonly clock: Clock,
  ) {
    this.available = this.maximum;
    this.last = clock.now();
  }

  get maximum(): number {
    return this.restoreRate * 20;
  }

  setRestoreRate(rate: number): void {
    this.refill();
    this.restoreRate = rate;
    this.available = Math.min(this.available, this.maximum);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.available = Math.min(this.maximum, this.available + elapsed * this.restoreRate);
    this.last = now;
  }

  /** Take `cost` points if available; false (and nothing taken) when throttled. */
  take(cost: number): boolean {
    this.refill();
    this.requestCount++;
    if (cost > this.available) {
      this.throttledCount++;
      return false;
    }
    this.available -= cost;
    return true;
  }

  /** Give back the difference between requested and actual cost. */
  refund(points: number): void {
    this.refill();
    this.available = Math.min(this.maximum, this.available + Math.max(0, points));
  }

  status(): ThrottleStatus {
    this.refill();
    return {
      maximumAvailable: this.maximum,
      currentlyAvailable: Math.floor(this.available),
      restoreRate: this.restoreRate,
    };
  }
}
