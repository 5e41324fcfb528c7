#!/bin/sh
# A read replica (README, "Running a mission on PostgreSQL"): a hot standby made with
# pg_basebackup from the primary answers Concord's read commands and API reads exactly as the
# primary does once it has replayed the primary's writes, and refuses a write with a clear
# error, storing nothing.
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
cd "$WORK" || exit 1

for c in curl python3; do
	command -v $c >/dev/null 2>&1 || pg_skip_all "$c is not installed"
done
pg_start
[ -x "$PGBIN/pg_basebackup" ] || pg_skip_all "no pg_basebackup in $PGBIN"

# the primary: a mission with areas, activities, events and population
P=$PGURI
"$CONCORD" -d "$P" init --mission AFG --country AFG >/dev/null &&
	"$CONCORD" -d "$P" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null &&
	"$CONCORD" -d "$P" import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" \
		--period 2021-07-01/2021-09-30 >/dev/null 2>&1
"$CONCORD" -d "$P" import events "$CASE"/afg_ucdp_*.csv --format ucdp >/dev/null 2>&1
is "$("$CONCORD" -d "$P" coverage --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["n_records"] > 0)')" \
	True "the primary holds the case"

# the standby: a base backup that follows the primary (-R writes standby.signal and the
# primary's address), started on its own port
SB=$PGDIR/standby
SB_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if (cd / && $PG_AS "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U concord -D "$SB" -R -c fast \
	-X stream >"$PGDIR/basebackup.log" 2>&1) &&
	(cd / && $PG_AS "$PGBIN/pg_ctl" -D "$SB" -l "$PGDIR/standby.log" -w -t 60 \
		-o "-p $SB_PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c hot_standby=on" \
		start >/dev/null 2>&1); then
	ok "a hot standby runs on 127.0.0.1:$SB_PORT"
else
	not_ok "a hot standby runs" "$(tail -5 "$PGDIR/basebackup.log" "$PGDIR/standby.log" 2>/dev/null)"
	done_testing
	exit 1
fi
trap '[ -n "${SPID:-}" ] && kill $SPID 2>/dev/null; (cd / && $PG_AS "$PGBIN/pg_ctl" -D "$SB" -m immediate -w stop >/dev/null 2>&1); pg_stop; rm -rf "$WORK"' EXIT
R="postgresql://concord@127.0.0.1:$SB_PORT/cc"

# caught up: the standby has replayed up to the primary's position after its last write
caught_up() {
	lsn=$(psql cc "SELECT pg_current_wal_lsn()")
	i=0
	while [ $i -lt 100 ]; do
		[ "$("$PSQL_BIN" -X -q -At -h 127.0.0.1 -p "$SB_PORT" -U concord -d cc \
			-c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
caught_up && ok "the standby replays the primary's writes" || not_ok "the standby replays the primary's writes"

for cmd in "coverage --json --level 1" "gaps --json --level 1" "exposure --json --radius 50 --days 3650 --at 2021-09-30" \
	"export events -o /dev/stdout" "rounds --json" "audit verify"; do
	# shellcheck disable=SC2086
	"$CONCORD" -d "$P" $cmd >p.out 2>p.err
	prc=$?
	# shellcheck disable=SC2086
	"$CONCORD" -d "$R" $cmd >r.out 2>r.err
	rrc=$?
	if [ $prc -eq 0 ] && [ $rrc -eq 0 ] && cmp -s p.out r.out; then
		ok "'concord $cmd' on the replica answers as on the primary"
	else
		not_ok "'concord $cmd' on the replica answers as on the primary" \
			"exit $prc/$rrc; $(cat r.err; diff p.out r.out | head -5)"
	fi
done

# a write on the replica: refused, saying why, nothing stored anywhere
before=$("$CONCORD" -d "$R" backup --digest 2>/dev/null || psql cc "SELECT count(*) FROM activity")
run "$CONCORD" -d "$R" import 3w "$TDATA/3w/small.csv" --source replica-try
is "$RC" 1 "an import into the replica fails"
like "$ERR" "read-only" "... saying the store is read-only"
caught_up
after=$("$CONCORD" -d "$R" backup --digest 2>/dev/null || psql cc "SELECT count(*) FROM activity")
is "$after" "$before" "... and nothing changed"

# a change on the primary reaches the replica
"$CONCORD" -d "$P" import 3w "$TDATA/3w/small.csv" --source on-primary >/dev/null 2>&1
caught_up
is "$("$PSQL_BIN" -X -q -At -h 127.0.0.1 -p "$SB_PORT" -U concord -d cc -c "SELECT count(*) FROM source WHERE name = 'on-primary'")" \
	1 "an import on the primary is on the replica once replayed"

# an API server on the replica answers reads as one on the primary does
"$CONCORD" -d "$P" member add AADA --kind ngo >/dev/null
"$CONCORD" -d "$P" user add reader --org AADA --role viewer >/dev/null
TOK=$("$CONCORD" -d "$P" token create reader 2>/dev/null)
caught_up
mkdir p r
(cd p && serve_start -d "$P" --threads 2 && echo "$PID $URL" >srv)
(cd r && serve_start -d "$R" --threads 2 && echo "$PID $URL" >srv)
read -r PPID_ PURL <p/srv
read -r SPID RURL <r/srv
SPID="$SPID $PPID_"
for path in "/api/coverage?level=1" "/api/activities?limit=50" "/api/me"; do
	pc=$(curl -s -o p.body -w '%{http_code}' -H "Authorization: Bearer $TOK" "$PURL$path")
	rc=$(curl -s -o r.body -w '%{http_code}' -H "Authorization: Bearer $TOK" "$RURL$path")
	if [ "$pc" = 200 ] && [ "$rc" = 200 ] &&
		python3 -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b):
    if isinstance(d, dict):
        d.pop("request_id", None)
sys.exit(a != b)' p.body r.body; then
		ok "GET $path on the replica's server answers as on the primary's"
	else
		not_ok "GET $path on the replica's server answers as on the primary's" "$pc/$rc $(head -c 300 r.body)"
	fi
done
done_testing
