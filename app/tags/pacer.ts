/**
 * Shopify's cost bucket as seen from the client. Every response reports how many points the
 * shop has left and how fast they come back; between responses the bucket refills at the
 * restore rate. Waiting until the estimate covers a request's requested cost before sending
 * it keeps THROTTLED answers rare, and keeps the client sending as soon as points are there.
 */
export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export class CostPacer {
  private available: number;
  private observedAt: number;
  /**
   * Points kept in reserve. It starts at zero and grows after each THROTTLED answer: another
   * process spending the same bucket (a backfill of ours) makes the estimate optimistic, and
   * a margin of half a second of refill per surprise makes the next estimate hold.
   */
  private margin = 0;

  constructor(
    private status: ThrottleStatus,
    private readonly now: () => number = Date.now,
  ) {
    this.available = status.currentlyAvailable;
    this.observedAt = now();
  }

  get restoreRate(): number {
    return this.status.restoreRate;
  }

  get maximumAvailable(): number {
    return this.status.maximumAvailable;
  }

  /** Points the bucket holds now, by the last report and the refill since. */
  estimate(): number {
    const elapsed = (this.now() - this.observedAt) / 1000;
    return Math.min(
      this.status.maximumAvailable,
      this.available + elapsed * this.status.restoreRate,
    );
  }

  /** Milliseconds to wait before a request of `cost` points would be admitted. */
  waitFor(cost: number): number {
    const wanted = Math.min(cost + this.margin, this.status.maximumAvailable);
    const missing = wanted - this.estimate();
    return missing <= 0 ? 0 : Math.ceil((missing / this.status.restoreRate) * 1000);
  }

  /** Books a request's cost against the estimate until its response reports the truth. */
  take(cost: number): void {
    this.available = this.estimate() - cost;
    this.observedAt = this.now();
  }

  /** A request was refused: the bucket holds less than estimated. */
  throttled(): void {
    this.margin = Math.min(
      this.margin + this.status.restoreRate / 2,
      this.status.maximumAvailable / 4,
    );
  }

  observe(status: ThrottleStatus): void {
    this.status = status;
    this.available = status.currentlyAvailable;
    this.observedAt = this.now();
  }
}
