ALTER TABLE "auth_user" ADD COLUMN "image" text;
