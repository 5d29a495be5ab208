#!/bin/sh
# The streaming replica's entrypoint (official postgres image, run as the postgres user). An empty
# data directory is filled with a base backup of the primary (pg_basebackup, which also writes
# primary_conninfo and standby.signal), then PostgreSQL starts as a hot standby that streams from
# the primary's slot. A data directory that already holds a standby just starts again.
set -eu

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	# the primary may still be initialising on the first start
	until pg_basebackup --pgdata="$PGDATA" --host="$PRIMARY_HOST" --username=replicator \
		--wal-method=stream --slot=tcd_replica --write-recovery-conf --checkpoint=fast --no-password; do
		echo "waiting for the primary at $PRIMARY_HOST" >&2
		rm -rf "${PGDATA:?}"/*
		sleep 2
	done
	chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c hot_standby_feedback=on
