-- A backfill waits for Shopify's bulk_operations/finish webhook, which the intake records like
-- any delivery: find it by shop and operation id without scanning the shop's deliveries.
-- (An expression index: schema.prisma cannot declare it.)
CREATE INDEX "WebhookDelivery_bulk_operation_finish_idx"
  ON "WebhookDelivery" ("shopDomain", ((payload ->> 'admin_graphql_api_id')))
  WHERE topic = 'bulk_operations/finish';
