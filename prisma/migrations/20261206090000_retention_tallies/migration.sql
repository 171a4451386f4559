-- Cohort retention tallies kept by the recompute worker (issue 16).

ALTER TABLE "Shop" ADD COLUMN "retentionTalliedThrough" TIMESTAMP(3),
                   ADD COLUMN "retentionTimeZone" TEXT;

CREATE TABLE "CustomerMonth" (
    "shopId" INTEGER NOT NULL,
    "customerId" BIGINT NOT NULL,
    "month" INTEGER NOT NULL,
    "cohort" INTEGER NOT NULL,
    "firstDiscounted" BOOLEAN NOT NULL,
    "revenueMinor" BIGINT NOT NULL,

    CONSTRAINT "CustomerMonth_pkey" PRIMARY KEY ("shopId","customerId","month")
);

ALTER TABLE "CustomerMonth" ADD CONSTRAINT "CustomerMonth_shopId_customerId_fkey"
    FOREIGN KEY ("shopId", "customerId") REFERENCES "Customer"("shopId", "id")
    ON DELETE CASCADE ON UPDATE CASCADE;
