-- CreateEnum
CREATE TYPE "SegmentChange" AS ENUM ('ENTERED', 'LEFT');

-- CreateEnum
CREATE TYPE "PromotionStatus" AS ENUM ('ACTIVE', 'ENDED');

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "changedSinceFit" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "fullRecomputeRequestedAt" TIMESTAMP(3),
ADD COLUMN     "modelFittedAt" TIMESTAMP(3),
ADD COLUMN     "modelReference" JSONB,
ADD COLUMN     "recomputedThrough" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "TagSyncState" ADD COLUMN     "appliedScores" JSONB,
ADD COLUMN     "desiredScores" JSONB;

-- CreateTable
CREATE TABLE "SegmentEvent" (
    "id" BIGSERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "customerId" BIGINT NOT NULL,
    "segmentKey" TEXT NOT NULL,
    "change" "SegmentChange" NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "flowSentAt" TIMESTAMP(3),
    "flowSkipped" TEXT,

    CONSTRAINT "SegmentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopifySegment" (
    "shopId" INTEGER NOT NULL,
    "segmentKey" TEXT NOT NULL,
    "shopifyId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ShopifySegment_pkey" PRIMARY KEY ("shopId","segmentKey")
);

-- CreateTable
CREATE TABLE "Promotion" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "segmentKey" TEXT NOT NULL,
    "playbook" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "discountPercent" DOUBLE PRECISION NOT NULL,
    "discountId" TEXT,
    "holdoutShare" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" "PromotionStatus" NOT NULL DEFAULT 'ACTIVE',
    "startsAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endsAt" TIMESTAMP(3),
    "targetCount" INTEGER NOT NULL DEFAULT 0,
    "holdoutCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Promotion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PromotionAssignment" (
    "shopId" INTEGER NOT NULL,
    "promotionId" INTEGER NOT NULL,
    "customerId" BIGINT NOT NULL,
    "holdout" BOOLEAN NOT NULL,

    CONSTRAINT "PromotionAssignment_pkey" PRIMARY KEY ("shopId","promotionId","customerId")
);

-- CreateIndex
CREATE INDEX "SegmentEvent_shopId_flowSentAt_id_idx" ON "SegmentEvent"("shopId", "flowSentAt", "id");

-- CreateIndex
CREATE INDEX "SegmentEvent_shopId_occurredAt_idx" ON "SegmentEvent"("shopId", "occurredAt");

-- CreateIndex
CREATE INDEX "Promotion_shopId_createdAt_idx" ON "Promotion"("shopId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Promotion_shopId_code_key" ON "Promotion"("shopId", "code");

-- CreateIndex
CREATE INDEX "Customer_shopId_syncedAt_idx" ON "Customer"("shopId", "syncedAt");

-- CreateIndex
CREATE INDEX "Order_shopId_syncedAt_idx" ON "Order"("shopId", "syncedAt");

-- AddForeignKey
ALTER TABLE "SegmentEvent" ADD CONSTRAINT "SegmentEvent_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ShopifySegment" ADD CONSTRAINT "ShopifySegment_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Promotion" ADD CONSTRAINT "Promotion_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PromotionAssignment" ADD CONSTRAINT "PromotionAssignment_promotionId_fkey" FOREIGN KEY ("promotionId") REFERENCES "Promotion"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- CreateIndex
CREATE INDEX "Order_shopId_customerId_id_idx" ON "Order"("shopId", "customerId", "id");
