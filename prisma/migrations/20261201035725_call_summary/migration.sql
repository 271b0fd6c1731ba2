-- AlterTable
ALTER TABLE "CallSession" ADD COLUMN     "durationSeconds" INTEGER,
ADD COLUMN     "outcome" TEXT,
ADD COLUMN     "path" TEXT[] DEFAULT ARRAY[]::TEXT[];

