#!/bin/bash
# First start of the primary (postgres image, /docker-entrypoint-initdb.d): the roles of
# docs/deployment.md §3 — chanjiao_owner owns the schema and runs migrate, chanjiao_app (what the
# platform connects as) owns nothing — and a replication role for the hot standby.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_pw="$OWNER_DB_PASSWORD" -v app_pw="$APP_DB_PASSWORD" -v repl_pw="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE chanjiao_owner LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOCREATEROLE;
CREATE ROLE chanjiao_app LOGIN PASSWORD :'app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
CREATE ROLE replicator LOGIN REPLICATION PASSWORD :'repl_pw';
CREATE DATABASE chanjiao OWNER chanjiao_owner;
\c chanjiao
-- Trusted since PostgreSQL 13, but created here so that migrate never needs more than ownership.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO chanjiao_app;
ALTER DEFAULT PRIVILEGES FOR ROLE chanjiao_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO chanjiao_app;
ALTER DEFAULT PRIVILEGES FOR ROLE chanjiao_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO chanjiao_app;
SQL

# The standby connects for streaming replication (a "replication" line: "all" does not match it).
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
