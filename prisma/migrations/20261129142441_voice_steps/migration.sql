-- AlterTable
ALTER TABLE "CallSession" ADD COLUMN     "step" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "WebhookReceipt" ADD COLUMN     "response" TEXT;

