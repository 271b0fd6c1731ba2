-- AlterEnum
ALTER TYPE "MessageStatus" ADD VALUE 'unknown';

-- AlterTable
ALTER TABLE "Distribution" ADD COLUMN     "weighInClosedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "failedAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastError" TEXT;

ALTER TYPE "CallTaskKind" ADD VALUE 'undelivered_dispatch';
