CREATE TYPE "wxyc_schema"."freq_enum" AS ENUM('S', 'L', 'M', 'H');
