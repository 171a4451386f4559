import type { PrismaClient } from "@prisma/client";

/**
 * Whether Shopify's `bulk_operations/finish` webhook for an operation has arrived. The intake
 * records it like every delivery, so a backfill waiting on its bulk query learns of the finish
 * from the database as soon as the webhook lands, instead of from its next poll of Shopify.
 */
export async function bulkFinishReceived(
  prisma: PrismaClient,
  shopDomain: string,
  operationId: string,
): Promise<boolean> {
  const rows = await prisma.$queryRaw<unknown[]>`
    SELECT 1 FROM "WebhookDelivery"
     WHERE "shopDomain" = ${shopDomain} AND topic = 'bulk_operations/finish'
       AND payload ->> 'admin_graphql_api_id' = ${operationId}
     LIMIT 1`;
  return rows.length > 0;
}
