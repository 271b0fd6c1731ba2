-- AlterTable
ALTER TABLE "Group" ALTER COLUMN "voiceName" SET DEFAULT 'Polly.Lea-Neural';

