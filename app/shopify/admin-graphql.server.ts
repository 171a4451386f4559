import { GraphqlQueryError } from "@shopify/shopify-api";
import prisma from "~/db.server";
import { unauthenticated } from "~/shopify.server";

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

interface Cost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function throttledCost(error: unknown): Cost | null {
  if (!(error instanceof GraphqlQueryError)) return null;
  const body = error.body as
    | {
        errors?: { graphQLErrors?: { extensions?: { code?: string } }[] };
        extensions?: { cost?: Cost };
      }
    | undefined;
  const throttled = body?.errors?.graphQLErrors?.some((e) => e.extensions?.code === "THROTTLED");
  return throttled ? (body?.extensions?.cost ?? {}) : null;
}

const RECORD_THROTTLE_EVERY_MS = 5_000;
const throttleRecordedAt = new Map<string, number>();

/**
 * Remembers the shop's cost bucket so support staff and the tag pusher can see it. Every
 * response carries it; writing it at most every few seconds keeps a row update off each call.
 */
async function recordThrottle(shopDomain: string, status: ThrottleStatus | undefined) {
  if (!status) return;
  const now = Date.now();
  if (now - (throttleRecordedAt.get(shopDomain) ?? 0) < RECORD_THROTTLE_EVERY_MS) return;
  throttleRecordedAt.set(shopDomain, now);
  await prisma.shop.updateMany({
    where: { domain: shopDomain },
    data: {
      throttleRestoreRate: Math.round(status.restoreRate),
      throttleMaximumAvailable: Math.round(status.maximumAvailable),
      throttleCurrentlyAvailable: Math.round(status.currentlyAvailable),
      throttleObservedAt: new Date(),
    },
  });
}

/**
 * THROTTLED answers waited out per request before it fails. The bucket is shared with the tags
 * worker (a reconcile may run while ~1,400 Flow triggers go out), so a few throttled answers in
 * a row are normal; only a bucket that never refills should end the request.
 */
export const MAX_THROTTLED_WAITS = 50;

/**
 * Runs an Admin GraphQL document for a shop with its offline session. A THROTTLED answer is
 * not an error but a request to wait: the wait is what the bucket needs to refill for the
 * requested cost at the shop's restore rate.
 */
export async function shopGraphql<Data>(
  shopDomain: string,
  query: string,
  variables: Record<string, unknown> = {},
  maxAttempts = MAX_THROTTLED_WAITS,
): Promise<Data> {
  const { admin } = await unauthenticated.admin(shopDomain);
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await admin.graphql(query, { variables, tries: 3 });
      const body = (await response.json()) as { data: Data; extensions?: { cost?: Cost } };
      await recordThrottle(shopDomain, body.extensions?.cost?.throttleStatus);
      return body.data;
    } catch (error) {
      const cost = throttledCost(error);
      if (!cost || attempt >= maxAttempts) throw error;
      const status = cost.throttleStatus;
      const missing = (cost.requestedQueryCost ?? 100) - (status?.currentlyAvailable ?? 0);
      await sleep(Math.max(250, (missing / (status?.restoreRate ?? 50)) * 1000));
    }
  }
}
