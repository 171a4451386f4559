-- Shopify's own view of each customer (Customer.statistics in the Admin API, 2026-10): its RFM
-- group and predicted spend tier, read by the backfill, the reconcile and the re-read behind
-- customer webhooks. Text, not enums: Shopify may add values, and a new one must not fail a
-- sync. NULL until the customer is next read, or when Shopify has not computed them yet.
ALTER TABLE "Customer" ADD COLUMN "shopifyRfmGroup" TEXT,
ADD COLUMN "shopifyPredictedSpendTier" TEXT;
