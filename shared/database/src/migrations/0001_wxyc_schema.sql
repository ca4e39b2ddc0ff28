CREATE SCHEMA "wxyc_schema";
