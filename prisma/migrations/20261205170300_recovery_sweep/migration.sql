-- PostgreSQL as the record of the work owed (issue 13).

-- A reconcile's position after its last page, so a retry of a run cut off resumes from it.
ALTER TABLE "SyncRun" ADD COLUMN "checkpoint" JSONB;

-- The PostgreSQL start the recovery sweep last saw (one row): a newer start means a restart.
CREATE TABLE "RecoveryMark" (
    "id" INTEGER NOT NULL,
    "postmasterStartedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "RecoveryMark_pkey" PRIMARY KEY ("id")
);
