-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "processedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Message_groupId_fromPhone_processedAt_createdAt_idx" ON "Message"("groupId", "fromPhone", "processedAt", "createdAt");

-- CreateIndex
CREATE INDEX "Message_direction_processedAt_createdAt_idx" ON "Message"("direction", "processedAt", "createdAt");

-- CreateIndex
CREATE INDEX "Message_groupId_toPhone_status_idx" ON "Message"("groupId", "toPhone", "status");


-- texts received before this migration were answered in their webhook: none waits for the worker
UPDATE "Message" SET "processedAt" = "createdAt" WHERE direction = 'inbound';
