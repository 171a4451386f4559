-- CreateEnum
CREATE TYPE "InstallState" AS ENUM ('INSTALLED', 'UNINSTALLED', 'REDACTED');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('RECEIVED', 'PROCESSED', 'SKIPPED', 'FAILED');

-- CreateEnum
CREATE TYPE "TagSyncStatus" AS ENUM ('PENDING', 'IN_FLIGHT', 'SYNCED', 'FAILED');

-- CreateEnum
CREATE TYPE "SyncKind" AS ENUM ('BACKFILL', 'RECONCILE');

-- CreateEnum
CREATE TYPE "SyncStatus" AS ENUM ('RUNNING', 'SUCCEEDED', 'FAILED');

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" TIMESTAMP(3),
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN,
    "locale" TEXT,
    "collaborator" BOOLEAN,
    "emailVerified" BOOLEAN,
    "refreshToken" TEXT,
    "refreshTokenExpires" TIMESTAMP(3),

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Shop" (
    "id" SERIAL NOT NULL,
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "currencyCode" TEXT NOT NULL DEFAULT 'USD',
    "ianaTimezone" TEXT NOT NULL DEFAULT 'UTC',
    "installState" "InstallState" NOT NULL DEFAULT 'INSTALLED',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "scopes" TEXT,
    "planName" TEXT,
    "shopifyPlus" BOOLEAN NOT NULL DEFAULT false,
    "throttleRestoreRate" INTEGER NOT NULL DEFAULT 100,
    "throttleMaximumAvailable" INTEGER NOT NULL DEFAULT 2000,
    "throttleCurrentlyAvailable" INTEGER,
    "throttleObservedAt" TIMESTAMP(3),
    "tagPrefix" TEXT NOT NULL DEFAULT 'propel',
    "taggedFamilies" TEXT[] DEFAULT ARRAY['rfm', 'churn', 'value', 'spend']::TEXT[],
    "flowTriggers" BOOLEAN NOT NULL DEFAULT true,
    "writeMetafields" BOOLEAN NOT NULL DEFAULT false,
    "segmentSettings" JSONB NOT NULL DEFAULT '{}',
    "lastWebhookAt" TIMESTAMP(3),
    "lastReconciledAt" TIMESTAMP(3),
    "lastRecomputeAt" TIMESTAMP(3),
    "dirtySince" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Shop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "shopId" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "email" TEXT,
    "firstName" TEXT,
    "lastName" TEXT,
    "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "emailMarketingState" TEXT,
    "metafields" JSONB,
    "shopifyCreatedAt" TIMESTAMP(3) NOT NULL,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "redactedAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("shopId","id")
);

-- CreateTable
CREATE TABLE "Order" (
    "shopId" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "customerId" BIGINT,
    "name" TEXT NOT NULL,
    "processedAt" TIMESTAMP(3) NOT NULL,
    "shopifyCreatedAt" TIMESTAMP(3) NOT NULL,
    "shopifyUpdatedAt" TIMESTAMP(3) NOT NULL,
    "cancelledAt" TIMESTAMP(3),
    "test" BOOLEAN NOT NULL DEFAULT false,
    "financialStatus" TEXT,
    "currency" TEXT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "discountMinor" BIGINT NOT NULL DEFAULT 0,
    "refundedMinor" BIGINT NOT NULL DEFAULT 0,
    "discountCodes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sourceName" TEXT,
    "deletedAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Order_pkey" PRIMARY KEY ("shopId","id")
);

-- CreateTable
CREATE TABLE "OrderLineItem" (
    "shopId" INTEGER NOT NULL,
    "id" BIGINT NOT NULL,
    "orderId" BIGINT NOT NULL,
    "productId" BIGINT,
    "variantId" BIGINT,
    "title" TEXT,
    "productType" TEXT,
    "vendor" TEXT,
    "quantity" INTEGER NOT NULL,
    "unitPriceMinor" BIGINT NOT NULL,
    "discountMinor" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "OrderLineItem_pkey" PRIMARY KEY ("shopId","id")
);

-- CreateTable
CREATE TABLE "CustomerMetrics" (
    "shopId" INTEGER NOT NULL,
    "customerId" BIGINT NOT NULL,
    "computedAt" TIMESTAMP(3) NOT NULL,
    "orders" INTEGER NOT NULL,
    "frequency" INTEGER NOT NULL,
    "recencyDays" DOUBLE PRECISION NOT NULL,
    "ageDays" DOUBLE PRECISION NOT NULL,
    "totalSpentMinor" BIGINT NOT NULL,
    "aovMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "rScore" INTEGER,
    "fScore" INTEGER,
    "mScore" INTEGER,
    "rfmGroup" TEXT NOT NULL,
    "fxvCell" TEXT,
    "valueType" TEXT,
    "pAlive" DOUBLE PRECISION,
    "expectedPurchases" DOUBLE PRECISION,
    "churnRisk" TEXT,
    "clv12mMinor" BIGINT,
    "spendTier" TEXT,
    "propensity" DOUBLE PRECISION,
    "nextOrderAt" TIMESTAMP(3),
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "CustomerMetrics_pkey" PRIMARY KEY ("shopId","customerId")
);

-- CreateTable
CREATE TABLE "SegmentMembership" (
    "shopId" INTEGER NOT NULL,
    "segmentKey" TEXT NOT NULL,
    "customerId" BIGINT NOT NULL,
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SegmentMembership_pkey" PRIMARY KEY ("shopId","segmentKey","customerId")
);

-- CreateTable
CREATE TABLE "SegmentSnapshot" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "takenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "counts" JSONB NOT NULL,
    "movements" JSONB NOT NULL DEFAULT '{}',
    "models" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "SegmentSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" BIGSERIAL NOT NULL,
    "shopId" INTEGER,
    "shopDomain" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "eventId" TEXT,
    "topic" TEXT NOT NULL,
    "apiVersion" TEXT,
    "triggeredAt" TIMESTAMP(3),
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'RECEIVED',
    "error" TEXT,
    "processedAt" TIMESTAMP(3),
    "payload" JSONB,

    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TagSyncState" (
    "shopId" INTEGER NOT NULL,
    "customerId" BIGINT NOT NULL,
    "desiredTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "appliedTags" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "status" "TagSyncStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "syncedAt" TIMESTAMP(3),

    CONSTRAINT "TagSyncState_pkey" PRIMARY KEY ("shopId","customerId")
);

-- CreateTable
CREATE TABLE "SyncRun" (
    "id" SERIAL NOT NULL,
    "shopId" INTEGER NOT NULL,
    "kind" "SyncKind" NOT NULL,
    "status" "SyncStatus" NOT NULL DEFAULT 'RUNNING',
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    "since" TIMESTAMP(3),
    "bulkOperationId" TEXT,
    "customersSynced" INTEGER NOT NULL DEFAULT 0,
    "ordersSynced" INTEGER NOT NULL DEFAULT 0,
    "customersTotal" INTEGER,
    "ordersTotal" INTEGER,
    "error" TEXT,

    CONSTRAINT "SyncRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");

-- CreateIndex
CREATE INDEX "Customer_shopId_shopifyUpdatedAt_idx" ON "Customer"("shopId", "shopifyUpdatedAt");

-- CreateIndex
CREATE INDEX "Customer_shopId_email_idx" ON "Customer"("shopId", "email");

-- CreateIndex
CREATE INDEX "Order_shopId_customerId_processedAt_idx" ON "Order"("shopId", "customerId", "processedAt");

-- CreateIndex
CREATE INDEX "Order_shopId_processedAt_idx" ON "Order"("shopId", "processedAt");

-- CreateIndex
CREATE INDEX "Order_shopId_shopifyUpdatedAt_idx" ON "Order"("shopId", "shopifyUpdatedAt");

-- CreateIndex
CREATE INDEX "OrderLineItem_shopId_orderId_idx" ON "OrderLineItem"("shopId", "orderId");

-- CreateIndex
CREATE INDEX "OrderLineItem_shopId_productId_idx" ON "OrderLineItem"("shopId", "productId");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shopId_rfmGroup_idx" ON "CustomerMetrics"("shopId", "rfmGroup");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shopId_churnRisk_idx" ON "CustomerMetrics"("shopId", "churnRisk");

-- CreateIndex
CREATE INDEX "CustomerMetrics_shopId_clv12mMinor_idx" ON "CustomerMetrics"("shopId", "clv12mMinor");

-- CreateIndex
CREATE INDEX "SegmentMembership_shopId_customerId_idx" ON "SegmentMembership"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "SegmentSnapshot_shopId_takenAt_idx" ON "SegmentSnapshot"("shopId", "takenAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shopDomain_receivedAt_idx" ON "WebhookDelivery"("shopDomain", "receivedAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shopDomain_status_idx" ON "WebhookDelivery"("shopDomain", "status");

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shopDomain_webhookId_key" ON "WebhookDelivery"("shopDomain", "webhookId");

-- CreateIndex
CREATE INDEX "TagSyncState_shopId_status_idx" ON "TagSyncState"("shopId", "status");

-- CreateIndex
CREATE INDEX "SyncRun_shopId_startedAt_idx" ON "SyncRun"("shopId", "startedAt");

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Order" ADD CONSTRAINT "Order_shopId_customerId_fkey" FOREIGN KEY ("shopId", "customerId") REFERENCES "Customer"("shopId", "id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OrderLineItem" ADD CONSTRAINT "OrderLineItem_shopId_orderId_fkey" FOREIGN KEY ("shopId", "orderId") REFERENCES "Order"("shopId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CustomerMetrics" ADD CONSTRAINT "CustomerMetrics_shopId_customerId_fkey" FOREIGN KEY ("shopId", "customerId") REFERENCES "Customer"("shopId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentMembership" ADD CONSTRAINT "SegmentMembership_shopId_customerId_fkey" FOREIGN KEY ("shopId", "customerId") REFERENCES "Customer"("shopId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SegmentSnapshot" ADD CONSTRAINT "SegmentSnapshot_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookDelivery" ADD CONSTRAINT "WebhookDelivery_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TagSyncState" ADD CONSTRAINT "TagSyncState_shopId_customerId_fkey" FOREIGN KEY ("shopId", "customerId") REFERENCES "Customer"("shopId", "id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SyncRun" ADD CONSTRAINT "SyncRun_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

