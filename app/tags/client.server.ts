import type { PrismaClient } from "@prisma/client";
import {
  GraphqlQueryError,
  HttpInternalError,
  HttpMaxRetriesError,
  HttpRequestError,
  HttpThrottlingError,
} from "@shopify/shopify-api";
import { unauthenticated } from "~/shopify.server";
import { CostPacer, type ThrottleStatus } from "./pacer";

/**
 * The Admin GraphQL client of the tags worker: one per shop and job. It paces itself to the
 * shop's cost bucket (app/tags/pacer.ts) so THROTTLED answers are rare, waits and retries the
 * ones that still come, retries 5xx, 429 and network failures with exponential backoff, and
 * records the bucket on the Shop row for support staff, like shopGraphql does.
 */

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

export interface GraphqlError {
  message: string;
  extensions?: { code?: string };
  path?: (string | number)[];
}

/** A response body as Shopify sends it: data (possibly partial), errors, cost. */
export interface RawResponse {
  data?: unknown;
  errors?: GraphqlError[];
  extensions?: { cost?: Cost };
}

/** Sends one document; throws `TransientError` for answers worth retrying as they are. */
export type Transport = (query: string, variables: Record<string, unknown>) => Promise<RawResponse>;

export class TransientError extends Error {}

/** GraphQL errors other than THROTTLED: the document or its arguments are wrong. */
export class GraphqlRequestError extends Error {
  constructor(readonly errors: GraphqlError[]) {
    super(errors.map((error) => error.message).join("; ") || "GraphQL request failed");
  }
}

export interface ClientStats {
  requests: number;
  /** THROTTLED answers received (and waited out); none reach the job's failure path. */
  throttled: number;
  /** 5xx, 429 and network failures retried. */
  retried: number;
  /** Requested cost of the requests that were admitted. */
  pointsSpent: number;
}

export interface ClientOptions {
  transport?: Transport;
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request for 5xx/network failures before the error reaches the job. */
  maxAttempts?: number;
  /** First backoff delay; doubles per attempt. */
  backoffMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const RECORD_THROTTLE_EVERY_MS = 5_000;
// A THROTTLED request is waited out rather than failed; this only stops a shop whose bucket
// never refills (a misreported restore rate) from holding a worker forever.
const MAX_THROTTLED_WAITS = 50;

/** The library's client, with its errors sorted into "retry", "throttled body" and "fail". */
export function libraryTransport(shopDomain: string): Transport {
  let admin: Awaited<ReturnType<typeof unauthenticated.admin>>["admin"] | undefined;
  return async (query, variables) => {
    admin ??= (await unauthenticated.admin(shopDomain)).admin;
    try {
      const response = await admin.graphql(query, { variables, tries: 1 });
      return (await response.json()) as RawResponse;
    } catch (error) {
      if (error instanceof GraphqlQueryError) {
        const body = error.body as
          | {
              data?: unknown;
              errors?: { graphQLErrors?: GraphqlError[] };
              extensions?: RawResponse["extensions"];
            }
          | undefined;
        return {
          data: body?.data,
          errors: body?.errors?.graphQLErrors ?? [{ message: error.message }],
          extensions: body?.extensions,
        };
      }
      if (
        error instanceof HttpInternalError ||
        error instanceof HttpThrottlingError ||
        error instanceof HttpMaxRetriesError ||
        error instanceof HttpRequestError
      )
        throw new TransientError(error.message);
      throw error;
    }
  };
}

export class AdminClient {
  readonly stats: ClientStats = { requests: 0, throttled: 0, retried: 0, pointsSpent: 0 };
  private readonly pacer: CostPacer;
  private readonly transport: Transport;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private recordedAt = 0;

  constructor(
    private readonly prisma: PrismaClient,
    readonly shop: {
      id: number;
      domain: string;
      throttleRestoreRate: number;
      throttleMaximumAvailable: number;
      throttleCurrentlyAvailable: number | null;
    },
    options: ClientOptions = {},
  ) {
    this.transport = options.transport ?? libraryTransport(shop.domain);
    this.sleep = options.sleep ?? sleep;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoffMs = options.backoffMs ?? 500;
    // Until the first response, trust the last bucket recorded for the shop, but not its fill
    // level: another process may have spent it since.
    this.pacer = new CostPacer({
      restoreRate: shop.throttleRestoreRate,
      maximumAvailable: shop.throttleMaximumAvailable,
      currentlyAvailable: Math.min(
        shop.throttleCurrentlyAvailable ?? shop.throttleMaximumAvailable / 2,
        shop.throttleMaximumAvailable / 2,
      ),
    });
  }

  get restoreRate(): number {
    return this.pacer.restoreRate;
  }

  get maximumAvailable(): number {
    return this.pacer.maximumAvailable;
  }

  /**
   * Runs a document whose requested cost is `cost` points and returns its data. Partial data
   * with userErrors is the caller's to read; THROTTLED is waited out; 5xx and network errors
   * are retried with backoff up to `maxAttempts`.
   */
  async request<Data>(
    query: string,
    variables: Record<string, unknown>,
    cost: number,
  ): Promise<Data> {
    let failures = 0;
    let throttledWaits = 0;
    for (;;) {
      const wait = this.pacer.waitFor(cost);
      if (wait > 0) await this.sleep(wait);
      this.pacer.take(cost);
      this.stats.requests++;
      let body: RawResponse;
      try {
        body = await this.transport(query, variables);
      } catch (error) {
        if (!(error instanceof TransientError) || ++failures >= this.maxAttempts) throw error;
        this.stats.retried++;
        await this.sleep(this.backoffMs * 2 ** (failures - 1));
        continue;
      }
      const status = body.extensions?.cost?.throttleStatus;
      if (status) {
        this.pacer.observe(status);
        await this.record(status);
      }
      const errors = body.errors ?? [];
      if (errors.some((error) => error.extensions?.code === "THROTTLED")) {
        this.stats.throttled++;
        this.pacer.throttled();
        if (++throttledWaits > MAX_THROTTLED_WAITS) throw new GraphqlRequestError(errors);
        // Nothing was taken from the bucket: the next loop waits for the points to come back.
        if (!status) await this.sleep(this.backoffMs);
        continue;
      }
      if (errors.length > 0) throw new GraphqlRequestError(errors);
      this.stats.pointsSpent += body.extensions?.cost?.requestedQueryCost ?? cost;
      return body.data as Data;
    }
  }

  private async record(status: ThrottleStatus): Promise<void> {
    const now = Date.now();
    if (now - this.recordedAt < RECORD_THROTTLE_EVERY_MS) return;
    this.recordedAt = now;
    await this.prisma.shop.updateMany({
      where: { id: this.shop.id },
      data: {
        throttleRestoreRate: Math.round(status.restoreRate),
        throttleMaximumAvailable: Math.round(status.maximumAvailable),
        throttleCurrentlyAvailable: Math.round(status.currentlyAvailable),
        throttleObservedAt: new Date(),
      },
    });
  }
}
