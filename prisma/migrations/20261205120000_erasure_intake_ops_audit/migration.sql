-- Erasure, intake hardening and the ops audit (issue 13).

-- Deliveries carry their shop id (set by the intake) so the shop's cascade reaches them, and
-- a repeated event is recognised by its event id as well as its webhook id.
UPDATE "WebhookDelivery" d SET "shopId" = s."id"
  FROM "Shop" s WHERE d."shopId" IS NULL AND s."domain" = d."shopDomain";

CREATE UNIQUE INDEX "WebhookDelivery_shopDomain_topic_eventId_key" ON "WebhookDelivery"("shopDomain", "topic", "eventId");
CREATE INDEX "WebhookDelivery_shopId_idx" ON "WebhookDelivery"("shopId");
CREATE INDEX "WebhookDelivery_receivedAt_idx" ON "WebhookDelivery"("receivedAt");

-- The retention job's age cuts, and the redaction's lookups by customer.
CREATE INDEX "SyncRun_startedAt_idx" ON "SyncRun"("startedAt");
CREATE INDEX "SegmentSnapshot_takenAt_idx" ON "SegmentSnapshot"("takenAt");
CREATE INDEX "SegmentEvent_shopId_customerId_idx" ON "SegmentEvent"("shopId", "customerId");
CREATE INDEX "SegmentEvent_occurredAt_idx" ON "SegmentEvent"("occurredAt");
CREATE INDEX "PromotionAssignment_shopId_customerId_idx" ON "PromotionAssignment"("shopId", "customerId");

CREATE TABLE "RedactionTombstone" (
    "shopId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "subjectHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RedactionTombstone_pkey" PRIMARY KEY ("shopId","kind","subjectHash")
);

ALTER TABLE "RedactionTombstone" ADD CONSTRAINT "RedactionTombstone_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "OpsAccess" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "shopDomain" TEXT,
    "subject" TEXT,
    "path" TEXT NOT NULL,

    CONSTRAINT "OpsAccess_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "OpsAccess_at_idx" ON "OpsAccess"("at");
CREATE INDEX "OpsAccess_shopDomain_at_idx" ON "OpsAccess"("shopDomain", "at");
