-- AlterEnum
ALTER TYPE "StaffRole" ADD VALUE 'platform_admin';

