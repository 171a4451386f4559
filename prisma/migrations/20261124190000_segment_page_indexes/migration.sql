-- Indexes behind the segment page's sorts and search, so each page of a million-customer
-- segment is an index walk rather than a sort of the segment (docs/benchmarks.md, pages).

-- CreateIndex
CREATE INDEX "CustomerMetrics_shopId_totalSpentMinor_customerId_idx" ON "CustomerMetrics"("shopId", "totalSpentMinor", "customerId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shopId_orders_customerId_idx" ON "CustomerMetrics"("shopId", "orders", "customerId");

-- Days since the last order (T − t_x): the "last order" sort. Not expressible in schema.prisma.
CREATE INDEX "CustomerMetrics_shopId_daysSinceLast_customerId_idx" ON "CustomerMetrics"("shopId", ("ageDays" - "recencyDays"), "customerId");

-- Case-insensitive prefix search on email and names. Not expressible in schema.prisma.
CREATE INDEX "Customer_shopId_lower_email_idx" ON "Customer"("shopId", lower("email") text_pattern_ops);
CREATE INDEX "Customer_shopId_lower_firstName_idx" ON "Customer"("shopId", lower("firstName") text_pattern_ops);
CREATE INDEX "Customer_shopId_lower_lastName_idx" ON "Customer"("shopId", lower("lastName") text_pattern_ops);
