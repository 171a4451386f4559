-- No query reads customers or orders by (shop, Shopify's updated_at): the upserts compare
-- updated_at row by row through the primary key. The indexes only cost every write.
DROP INDEX "Customer_shopId_shopifyUpdatedAt_idx";

DROP INDEX "Order_shopId_shopifyUpdatedAt_idx";
