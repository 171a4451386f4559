-- Net merchandise sales (docs/money.md). Rows synced before keep "merchandiseMinor" NULL: the
-- engine then values them at their subtotal (after discounts, before shipping and taxes) less
-- their refunds, undated, until the next sync reads the parts from Shopify.
ALTER TABLE "Order" ADD COLUMN "merchandiseMinor" BIGINT,
ADD COLUMN "shippingMinor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "taxMinor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "refundedMerchandiseMinor" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "refunds" JSONB NOT NULL DEFAULT '[]';
