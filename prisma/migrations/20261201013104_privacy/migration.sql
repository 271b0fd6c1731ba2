-- AlterEnum
ALTER TYPE "CallTaskKind" ADD VALUE 'data_request';

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "anonymisedAt" TIMESTAMPTZ(3),
ADD COLUMN     "inactivityWarnedAt" TIMESTAMPTZ(3),
ADD COLUMN     "privacyNoticeAt" TIMESTAMPTZ(3),
ADD COLUMN     "secondaryContactAddedAt" TIMESTAMPTZ(3),
ADD COLUMN     "secondaryContactAddedById" TEXT,
ADD COLUMN     "secondaryContactReason" TEXT,
ADD COLUMN     "secondaryContactToldAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "CallTask" ADD COLUMN     "recordingDeletedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "bodyErasedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "PrivacySettings" (
    "groupId" TEXT NOT NULL,
    "recordingRetentionDays" INTEGER NOT NULL DEFAULT 30,
    "messageRetentionMonths" INTEGER NOT NULL DEFAULT 6,
    "inactiveResidentMonths" INTEGER NOT NULL DEFAULT 24,
    "inactivityWarningDays" INTEGER NOT NULL DEFAULT 30,
    "auditRetentionMonths" INTEGER NOT NULL DEFAULT 36,
    "accessLogRetentionMonths" INTEGER NOT NULL DEFAULT 12,
    "infoPhone" TEXT,
    "lastRetentionRunAt" TIMESTAMPTZ(3),

    CONSTRAINT "PrivacySettings_pkey" PRIMARY KEY ("groupId")
);

-- CreateTable
CREATE TABLE "AccessLogEntry" (
    "id" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "staffId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "page" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccessLogEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TwilioDeletion" (
    "id" TEXT NOT NULL,
    "groupId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "sid" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" TIMESTAMPTZ(3),

    CONSTRAINT "TwilioDeletion_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AccessLogEntry_groupId_at_idx" ON "AccessLogEntry"("groupId", "at");

-- CreateIndex
CREATE INDEX "AccessLogEntry_customerId_at_idx" ON "AccessLogEntry"("customerId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "TwilioDeletion_sid_key" ON "TwilioDeletion"("sid");

-- CreateIndex
CREATE INDEX "TwilioDeletion_doneAt_createdAt_idx" ON "TwilioDeletion"("doneAt", "createdAt");

-- AddForeignKey
ALTER TABLE "PrivacySettings" ADD CONSTRAINT "PrivacySettings_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "Group"("id") ON DELETE CASCADE ON UPDATE CASCADE;

