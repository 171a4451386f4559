import type { PrismaClient } from "@prisma/client";
import type { Queue } from "bullmq";
import type { BackfillJob, RecomputeJob } from "~/jobs/queues";
import { requestRecompute } from "~/segments/requests.server";

/** What support staff can start by hand from a shop's ops page. */
export const SHOP_INTENTS = ["reconcile", "recompute"] as const;
export type ShopIntent = (typeof SHOP_INTENTS)[number];

export function isShopIntent(value: unknown): value is ShopIntent {
  return typeof value === "string" && (SHOP_INTENTS as readonly string[]).includes(value);
}

/** The banner shown after the redirect back to the shop's page (`?queued=<intent>`). */
export const SHOP_INTENT_DONE: Record<ShopIntent, string> = {
  reconcile: "Reconciliation queued: the store is re-read, then the segments follow its changes.",
  recompute: "Full recompute requested: the models are refitted and every customer rescored.",
};

/** While one waits or runs, another "Reconcile now" joins it instead of queueing a second. */
export const reconcileNowId = (shopDomain: string) => `reconcile-now-${shopDomain}`;

export type ShopActionResult =
  { ok: true; intent: ShopIntent } | { ok: false; status: 400 | 404 | 409; error: string };

/**
 * Runs one post of the shop page's forms. Both are safe to post twice: the reconciliation is
 * deduplicated by its id while one is pending, and recompute requests coalesce per shop
 * (app/segments/requests.server.ts).
 */
export async function runShopAction(
  prisma: PrismaClient,
  queues: { backfill: Queue<BackfillJob>; recompute: Queue<RecomputeJob> },
  shopDomain: string,
  form: FormData,
): Promise<ShopActionResult> {
  const intent = form.get("intent");
  if (!isShopIntent(intent)) {
    return {
      ok: false,
      status: 400,
      error: `Unknown intent "${String(intent)}": expected ${SHOP_INTENTS.join(" or ")}`,
    };
  }
  const shop = await prisma.shop.findUnique({
    where: { domain: shopDomain },
    select: { installState: true },
  });
  if (!shop) return { ok: false, status: 404, error: `No shop ${shopDomain}` };
  // Without the app installed there is no access token to read the store with, and segments
  // would be pushed nowhere.
  if (shop.installState !== "INSTALLED") {
    return {
      ok: false,
      status: 409,
      error: `${shopDomain} is ${shop.installState}: nothing to run`,
    };
  }
  if (intent === "reconcile") {
    await queues.backfill.add(
      "reconcile",
      { shopDomain, kind: "RECONCILE" },
      { deduplication: { id: reconcileNowId(shopDomain) } },
    );
  } else {
    await requestRecompute(prisma, queues.recompute, shopDomain, { full: true });
  }
  return { ok: true, intent };
}
