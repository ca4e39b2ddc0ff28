ALTER TABLE "auth_user" ADD COLUMN "app_skin" varchar(255) DEFAULT 'modern-light' NOT NULL;
