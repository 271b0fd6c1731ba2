-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'accepted';

-- AlterTable
ALTER TABLE "Distribution" ADD COLUMN     "closedAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastDayReminderAt" TIMESTAMPTZ(3),
ADD COLUMN     "openReminderAt" TIMESTAMPTZ(3),
ADD COLUMN     "readyNoticeAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN     "acceptedAt" TIMESTAMPTZ(3),
ADD COLUMN     "failedAt" TIMESTAMPTZ(3),
ADD COLUMN     "lateAlertAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "CallTask" ADD COLUMN     "messageId" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "kind" TEXT NOT NULL DEFAULT 'reply',
ADD COLUMN     "recipientRole" TEXT;

-- AlterTable
ALTER TABLE "OutboxEvent" ADD COLUMN     "processedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE UNIQUE INDEX "CallTask_messageId_key" ON "CallTask"("messageId");

