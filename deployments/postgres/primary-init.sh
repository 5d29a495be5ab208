#!/bin/sh
# Runs once, when the official postgres image initialises an empty data directory
# (/docker-entrypoint-initdb.d): the role the streaming replica connects as, its replication slot,
# and the pg_hba.conf line that lets it stream. The slot keeps the WAL the replica has not yet
# received, so a replica that was down catches up instead of needing a new base backup.
set -eu

psql -v ON_ERROR_STOP=1 -v password="$REPLICATION_PASSWORD" \
	--username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SELECT pg_create_physical_replication_slot('tcd_replica');
SQL

# the image's own "host all all all scram-sha-256" line does not cover the replication pseudo-database
echo "host replication replicator all scram-sha-256" >>"$PGDATA/pg_hba.conf"
