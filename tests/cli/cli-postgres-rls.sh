#!/bin/sh
# Row-level security on PostgreSQL, the second line behind the C visibility rule, and NOTIFY:
# a role of the API's (db_role= of the store's URI) that owns nothing; a deliberately unfiltered
# query run as that role with a caller's organisation set returns exactly the activities
# cc_visible() lets that organisation see (counted through the API, which applies the C rule,
# and by hand from the markings); every answer of a server reading under the role is the
# answer of one reading without it, also through a transaction-mode pgbouncer, and the
# commands' outputs byte for byte; a forbidden id answers exactly as a missing one; and a
# change made through server B reaches server A's live stream, woken by NOTIFY, measured
# against the poll alone (the latencies are printed, not asserted, but for the 10 s limit).
. "$CC_SOURCE_ROOT/tests/cli/lib.sh"
. "$CC_SOURCE_ROOT/tests/cli/pglib.sh"
cd "$WORK" || exit 1

for c in curl python3; do
	command -v $c >/dev/null 2>&1 || pg_skip_all "$c is not installed"
done
pg_start

# ---- the mission: the serve test's, with markings of every kind ----
"$CONCORD" -d "$PGURI" init --mission AFG --country AFG >/dev/null &&
	"$CONCORD" -d "$PGURI" import areas "$CASE/afg_global_pcodes_subset.csv" >/dev/null &&
	{ "$CONCORD" -d "$PGURI" import 3w "$CASE/afg_3w_operational_presence_2021q3.csv" \
		--period 2021-07-01/2021-09-30 >/dev/null 2>&1 || true; }
ok_init=$?
for m in AADA:ngo WFP:un ISAF-PRT:military UNICEF:un OUTSIDER:ngo; do
	"$CONCORD" -d "$PGURI" member add "${m%%:*}" --kind "${m##*:}" >/dev/null || ok_init=1
done
for u in aada:AADA:editor isaf:ISAF-PRT:viewer wfp:WFP:editor unicef:UNICEF:coordinator; do
	"$CONCORD" -d "$PGURI" user add "${u%%:*}" --org "$(echo "$u" | cut -d: -f2)" \
		--role "${u##*:}" >/dev/null || ok_init=1
done
for u in aada isaf wfp unicef; do
	"$CONCORD" -d "$PGURI" token create "$u" 2>/dev/null || ok_init=1
done >tokens
# one organisation that is not a member (any more): it sees only public records
"$CONCORD" -d "$PGURI" member remove OUTSIDER >/dev/null || ok_init=1
is "$ok_init $(wc -l <tokens)" "0 4" "a mission with four member organisations, users and tokens"
tok() { sed -n "$1p" tokens; }
orgid() { psql cc "SELECT id FROM organisation WHERE key = 'local:$1'"; }
AADA=$(orgid AADA) WFP=$(orgid WFP) ISAF=$(orgid ISAF-PRT) UNICEF=$(orgid UNICEF)
NONMEMBER=$(orgid OUTSIDER)

# markings of every kind, straight in the table (as the owner: row-level security does not
# apply to it): partners, org of an owner, a deny list, named shares with ISAF
psql cc "UPDATE activity SET releasability = 'partners' WHERE id % 5 = 0;
	UPDATE activity SET releasability = 'org', owner_id = org_id WHERE id % 7 = 0;
	UPDATE activity SET releasability = 'TLP:AMBER' WHERE id % 13 = 0;
	UPDATE activity SET deny = 1 WHERE id % 3 = 0;
	UPDATE activity SET deny = 18 WHERE id % 17 = 0;
	UPDATE activity SET shared = 1 WHERE id % 11 = 0;
	INSERT INTO share (tbl, record_id, org_id) SELECT 'activity', id, $ISAF FROM activity
		WHERE id % 11 = 0" >/dev/null
N_ALL=$(psql cc "SELECT count(*) FROM activity")
# incidents (a partitioned table, of no mission) with markings of their own
run "$CONCORD" -d "$PGURI" import events "$CASE/ucdp_ged_v23_1_afg.csv"
psql cc "UPDATE incident SET releasability = 'partners' WHERE id % 4 = 0;
	UPDATE incident SET releasability = 'org', owner_id = $AADA WHERE id % 6 = 0;
	UPDATE incident SET deny = 1 WHERE id % 5 = 0" >/dev/null
N_INC=$(psql cc "SELECT count(*) FROM incident")
is "$RC $N_INC" "0 135" "the UCDP excerpt's 135 incidents, some marked partners, some AADA's own, some denied to the military"
ok "markings set: $(psql cc "SELECT string_agg(releasability || '/' || deny || '/' || shared || ':' || n, ' ') FROM (SELECT releasability, deny, shared, count(*) n FROM activity GROUP BY 1, 2, 3 ORDER BY 1, 2, 3) x") of $N_ALL"

# ---- the API's role ----
psql cc "CREATE ROLE concord_api NOLOGIN; GRANT concord_api TO concord" >/dev/null
run "$CONCORD" -d "$PGURI?db_role=concord_api" coverage
like "$ERR" "concord_grant_api('concord_api')" \
	"a role that may not read the tables is refused, saying what to run"
psql cc "SELECT concord_grant_api('concord_api')" >/dev/null
RURI="$PGURI?db_role=concord_api"
run "$CONCORD" -d "$PGURI?db_role=nobody_here" coverage
like "$ERR" "role 'nobody_here' does not exist" "an unknown role is refused"
run "$CONCORD" -d "$PGURI?db_role=concord" coverage
like "$ERR" "superuser or has BYPASSRLS" "a superuser (who bypasses the policies) is refused"
run "$CONCORD" -d "$PGURI?db_role=x%3By" coverage
like "$ERR" "is not a role name" "a role name with other characters is refused"
is "$(psql cc "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_class c
	WHERE c.relrowsecurity")" "$(psql cc "SELECT string_agg(c.relname, ' ' ORDER BY c.relname)
	FROM pg_class c WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relnamespace =
	'public'::regnamespace AND (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND
	a.attname IN ('id', 'mission_id', 'owner_id', 'releasability', 'deny', 'shared')) = 6")" \
	"every table with a marking has row-level security"
echo "# protected: $(psql cc "SELECT string_agg(relname, ' ' ORDER BY relname) FROM pg_class WHERE relrowsecurity")"
is "$(psql cc "SELECT count(*) FROM pg_policies WHERE policyname = 'concord_visible'")" \
	"$(psql cc "SELECT count(*) FROM pg_class WHERE relrowsecurity")" "... each with its policy"

# ---- a deliberately unfiltered query, as the role ----
as_role() { # as_role SETTINGS SQL: SQL run as the API's role after SETTINGS (SET ...;)
	psql cc "SET ROLE concord_api; $1 $2"
}
# the C rule's answer, through the API (which filters with cc_visible): every page
api_count() { # api_count TOKEN
	python3 - "$URL" "$1" <<'EOF'
import json, sys, urllib.request
url, tok = sys.argv[1], sys.argv[2]
n, after = 0, 0
while True:
    r = urllib.request.Request("%s/api/activities?limit=500&after=%d" % (url, after),
                               headers={"Authorization": "Bearer " + tok})
    acts = json.load(urllib.request.urlopen(r))["activities"]
    if not acts:
        break
    n += len(acts)
    after = acts[-1]["id"]
print(n)
EOF
}
# the rule by hand, from the markings (org ORG of kind bit KIND, member or not)
by_hand() { # by_hand ORG KINDBIT MEMBER
	psql cc "SELECT count(*) FROM activity a WHERE a.owner_id = $1
		OR (a.shared = 1 AND EXISTS (SELECT 1 FROM share s WHERE s.tbl = 'activity'
		    AND s.record_id = a.id AND s.org_id = $1))
		OR (a.deny & $2 = 0 AND (a.releasability = 'public' OR ($3 AND
		    a.releasability IN ('partners', 'TLP:AMBER') AND a.mission_id = 1)))"
}
mkdir p r
(cd p && serve_start -d "$PGURI" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
(cd r && serve_start -d "$RURI" --threads 2 && echo "$PID" >pid && echo "$URL" >url)
trap 'kill $(cat p/pid r/pid 2>/dev/null) 2>/dev/null; pg_stop; cleanup_work' EXIT
PURL=$(cat p/url) RURL=$(cat r/url)
ok "two servers on the same database: one reading as the owner, one under db_role=concord_api"

URL=$PURL
n=1
for o in AADA:$AADA:16 ISAF:$ISAF:1 WFP:$WFP:2 UNICEF:$UNICEF:2; do
	name=${o%%:*} id=$(echo "$o" | cut -d: -f2) bit=${o##*:}
	rls=$(as_role "SET concord.org_id = '$id';" "SELECT count(*) FROM activity")
	api=$(api_count "$(tok $n)")
	hand=$(by_hand "$id" "$bit" true)
	is "$rls" "$api" "$name: SELECT count(*) FROM activity as the role counts what cc_visible lets $name see ($api of $N_ALL)"
	is "$hand" "$api" "$name: ... and what the rule says, counted by hand from the markings"
	n=$((n + 1))
done
# incidents: a partitioned table, read through its parent; the C rule through export events
for o in AADA:$AADA:16 ISAF-PRT:$ISAF:1 OUTSIDER:$NONMEMBER:16; do
	name=${o%%:*} id=$(echo "$o" | cut -d: -f2) bit=${o##*:} member=true
	[ "$name" = OUTSIDER ] && member=false
	rls=$(as_role "SET concord.org_id = '$id';" "SELECT count(*) FROM incident")
	"$CONCORD" -d "$PGURI" --as "$name" export events -o "ev-$name.csv" >/dev/null 2>&1
	c=$(($(wc -l <"ev-$name.csv") - 1))
	hand=$(psql cc "SELECT count(*) FROM incident i WHERE i.owner_id = $id
		OR (i.deny & $bit = 0 AND (i.releasability = 'public' OR ($member AND
		    i.releasability = 'partners')))")
	is "$rls $hand" "$c $c" "$name: SELECT count(*) FROM incident as the role counts the incidents export events gives $name ($c of $N_INC), and the rule by hand"
done
rls=$(as_role "SET concord.org_id = '$NONMEMBER';" "SELECT count(*) FROM activity")
is "$rls" "$(by_hand "$NONMEMBER" 16 false)" "an organisation that is not a member sees only public records not denied to NGOs ($rls)"
is "$(as_role "" "SELECT count(*) FROM activity")" \
	"$(psql cc "SELECT count(*) FROM activity WHERE releasability = 'public' AND deny = 0")" \
	"with nothing set, the role is the public: public records that deny nobody"
is "$(as_role "SET concord.viewer = 'partners'; SET concord.mission_id = '1';" "SELECT count(*) FROM activity")" \
	"$(psql cc "SELECT count(*) FROM activity WHERE releasability IN ('public', 'partners', 'TLP:AMBER') AND deny = 0")" \
	"the partners of the mission: public and partners' records that deny nobody"
is "$(as_role "SET concord.viewer = 'operator';" "SELECT count(*) FROM activity")" "$N_ALL" \
	"the operator's setting lets everything through"
is "$(as_role "SET concord.viewer = 'nonsense';" "SELECT count(*) FROM activity")" \
	"$(as_role "" "SELECT count(*) FROM activity")" "an unknown viewer is the public"
n_aada=$(as_role "SET concord.org_id = '$AADA';" "SELECT count(*) FROM activity")
is "$(as_role "SET concord.org_id = '$AADA';" "SELECT count(*) FROM activity a JOIN area ar ON ar.id = a.area_id WHERE a.id > 0")" \
	"$(as_role "SET concord.org_id = '$AADA';" "SELECT count(*) FROM activity a JOIN area ar ON ar.id = a.area_id")" \
	"a join reads the same rows"
run psql cc "SET ROLE concord_api; SELECT count(*) FROM incident_y2021"
like "$ERR" "permission denied\|does not exist" "the role cannot read a partition directly (which would bypass its parent's policies)"
run psql cc "SET ROLE concord_api; SET concord.org_id = '$AADA'; UPDATE activity SET title = 'x'"
like "$ERR" "permission denied" "the role writes nothing"
ok "AADA sees $n_aada of $N_ALL as the role"

# ---- the same answers through a server under the role ----
norm() {
	python3 -c '
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("took_ms",)}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(json.load(sys.stdin)), sort_keys=True))'
}
get() { # get URL TOKEN PATH: the body; the status in get.status
	curl -s -o get.body -w '%{http_code}' -H "Authorization: Bearer $2" "$1$3" >get.status
	cat get.body
}
PATHS='/api/me /api/activities?limit=500 /api/activities?limit=7&after=40
/api/activities?area=AF01&limit=50 /api/activities?pillar=infrastructure&limit=20
/api/coverage?level=1 /api/coverage?level=2 /api/activities/5 /api/activities/7
/api/activities/14 /api/activities/33 /api/activities/55 /api/feed?after=0&limit=50
/api/members'
mkdir ans
n=1 same=0 total=0 diffs=""
for who in aada isaf wfp unicef; do
	for path in $PATHS; do
		a=$(get "$PURL" "$(tok $n)" "$path" | norm) sa=$(cat get.status)
		echo "$sa $a" >"ans/$who$(echo "$path" | tr '/?&=' '____')"
		b=$(get "$RURL" "$(tok $n)" "$path" | norm) sb=$(cat get.status)
		total=$((total + 1))
		if [ "$sa $a" = "$sb $b" ]; then
			same=$((same + 1))
		else
			diffs="$diffs $who:$path($sa/$sb)"
		fi
	done
	n=$((n + 1))
done
is "$same${diffs:+ differ:$diffs}" "$total" "4 callers x 14 requests: the server under the role answers as the one without (timings aside)"
for as in public partners AADA ISAF-PRT; do
	for cmd in "coverage --json" "coverage --level 2 --csv" "gaps --json" \
		"export events -o -" "exposure --json --as-of 2022-09-14" \
		"exposure --by area --days 3650 --as-of 2022-09-14 --csv"; do
		# shellcheck disable=SC2086
		a=$("$CONCORD" -d "$PGURI" --as "$as" $cmd 2>&1)
		# shellcheck disable=SC2086
		b=$("$CONCORD" -d "$RURI" --as "$as" $cmd 2>&1)
		is "$(printf %s "$b" | sha256sum)" "$(printf %s "$a" | sha256sum)" \
			"--as $as $cmd: the same under the role"
	done
done

# The one read found that forgot the rule: exposure's default end of the window, the latest
# incident of all, whoever asks (postgres_events.c and sqlite_events.c alike). Under the role
# the policies catch it: the window ends at the latest incident the reader may see.
latest=$(psql cc "SELECT to_char(date '1970-01-01' + max(date_end), 'YYYY-MM-DD') FROM incident
	WHERE releasability = 'public' AND deny = 0")
all=$(psql cc "SELECT to_char(date '1970-01-01' + max(date_end), 'YYYY-MM-DD') FROM incident")
a=$("$CONCORD" -d "$PGURI" --as public exposure 2>&1 | sed -n 's/^# window: .* to \([0-9-]*\);.*/\1/p')
b=$("$CONCORD" -d "$RURI" --as public exposure 2>&1 | sed -n 's/^# window: .* to \([0-9-]*\);.*/\1/p')
is "$b" "$latest" "under the role, the public's default exposure window ends at the latest incident the public may see ($latest)"
echo "# ... without the role it ends at $a (the latest incident of all: $all)"

# a forbidden id answers exactly as a missing one
FORBID=$(psql cc "SELECT min(id) FROM activity WHERE releasability = 'org' AND owner_id <> $ISAF
	AND shared = 0")
MISSING=$((N_ALL + 1000))
f=$(get "$RURL" "$(tok 2)" "/api/activities/$FORBID" | sed "s/$FORBID/ID/g") fs=$(cat get.status)
m=$(get "$RURL" "$(tok 2)" "/api/activities/$MISSING" | sed "s/$MISSING/ID/g") ms=$(cat get.status)
is "$fs $f" "$ms $m" "ISAF asking for activity $FORBID (org, not its own) answers as for a missing id ($fs)"
is "$fs" 404 "... which is 404"
get "$RURL" "$(tok 1)" "/api/activities/$FORBID" >/dev/null
owner=$(psql cc "SELECT o.key FROM activity a JOIN organisation o ON o.id = a.owner_id WHERE a.id = $FORBID")
[ "$owner" = "local:AADA" ] && is "$(cat get.status)" 200 "... while its owner AADA reads it" ||
	ok "... (its owner is $owner, not a caller here)"

stop_servers() { # stop_servers DIR...: SIGTERM, then wait until each has gone
	for d in "$@"; do
		p=$(cat "$d/pid" 2>/dev/null) || continue
		kill "$p" 2>/dev/null
		i=0
		while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		rm -f "$d/pid"
	done
}
stop_servers p r

# ---- through a transaction-mode pgbouncer: SET LOCAL only, nothing left on a connection ----
PGB=$(command -v pgbouncer 2>/dev/null || { [ -x /usr/sbin/pgbouncer ] && echo /usr/sbin/pgbouncer; })
if [ -n "$PGB" ]; then
	BPORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	mkdir bouncer
	echo '"concord" ""' >bouncer/users.txt
	printf '%s\n' "[databases]" "cc = host=127.0.0.1 port=$PG_PORT dbname=cc user=concord" \
		"[pgbouncer]" "listen_addr = 127.0.0.1" "listen_port = $BPORT" "unix_socket_dir =" \
		"auth_type = trust" "auth_file = $WORK/bouncer/users.txt" "pool_mode = transaction" \
		"default_pool_size = 2" "max_client_conn = 200" \
		"ignore_startup_parameters = extra_float_digits" \
		"logfile = $WORK/bouncer/pgbouncer.log" "pidfile = $WORK/bouncer/pgbouncer.pid" \
		>bouncer/pgbouncer.ini
	[ -n "$PG_AS" ] && chown -R "$PG_USER_OS" bouncer
	(cd / && $PG_AS "$PGB" -d "$WORK/bouncer/pgbouncer.ini" >/dev/null 2>&1)
	i=0
	while [ $i -lt 50 ] && ! [ -s bouncer/pgbouncer.pid ]; do
		sleep 0.1
		i=$((i + 1))
	done
	BURI="postgresql://concord@127.0.0.1:$BPORT/cc?db_role=concord_api"
	trap 'kill $(cat p/pid r/pid x/pid 2>/dev/null) 2>/dev/null; kill $(cat bouncer/pgbouncer.pid 2>/dev/null) 2>/dev/null; pg_stop; cleanup_work' EXIT
	mkdir x
	(cd x && CONCORD_FEED_NOTIFY=off && export CONCORD_FEED_NOTIFY &&
		serve_start -d "$BURI" --threads 4 && echo "$PID" >pid && echo "$URL" >url)
	XURL=$(cat x/url)
	# the four callers at once, three rounds each, through a pool of two server connections
	n=1
	for who in aada isaf wfp unicef; do
		(for round in 1 2 3; do
			for path in $PATHS; do
				f="$who$(echo "$path" | tr '/?&=' '____')"
				st=$(curl -s -o "x/$f.$round" -w '%{http_code}' -H "Authorization: Bearer $(tok $n)" "$XURL$path")
				echo "$st $(norm <"x/$f.$round")" >"x/$f.$round.n"
				cmp -s "x/$f.$round.n" "ans/$f" || echo "$who:$path" >>x/differ
			done
		done) &
		n=$((n + 1))
	done
	wait
	is "$(ls x/*.n | wc -l) $(cat x/differ 2>/dev/null | tr '\n' ' ')" "168 " \
		"through pgbouncer (transaction mode, 2 server connections), 4 callers at once x 14 requests x 3: each answer is the caller's own"
	left=$(for i in 1 2 3 4 5 6; do
		"$PSQL_BIN" -X -q -At -h 127.0.0.1 -p "$BPORT" -U concord -d cc -c \
			"SELECT current_user || ':' || coalesce(current_setting('concord.viewer', true), '')"
	done | sort | uniq -c | awk '{ print $1 "x" $2 }')
	is "$left" "6xconcord:" "... and the pool's server connections kept no role and no viewer"
	for as in public ISAF-PRT; do
		is "$("$CONCORD" -d "$BURI" --as $as coverage --json 2>&1 | sha256sum)" \
			"$("$CONCORD" -d "$PGURI" --as $as coverage --json 2>&1 | sha256sum)" \
			"through pgbouncer: --as $as coverage as without the role"
	done
	stop_servers x
	kill "$(cat bouncer/pgbouncer.pid)" 2>/dev/null
else
	skip "through a transaction-mode pgbouncer" "pgbouncer is not installed (Debian package pgbouncer)"
fi

# ---- NOTIFY: B's edit reaches A's live stream ----
T_C=$(tok 4)
ID=$(psql cc "SELECT min(a.id) FROM activity a JOIN organisation o ON o.id = a.org_id
	WHERE o.key = 'local:AADA' AND a.releasability = 'public' AND a.deny = 0")
measure() { # measure ROUNDS: B's marking changes -> A's SSE events; prints the latencies (s)
	python3 - "$(cat a/url)" "$(cat b/url)" "$(tok 1)" "$T_C" "$ID" "$1" <<'EOF'
import http.client, json, socket, sys, threading, time, urllib.parse, urllib.request
a, b, tok_a, tok_c, rid, rounds = sys.argv[1:7]
rounds = int(rounds)
u = urllib.parse.urlparse(a)
head = json.load(urllib.request.urlopen(urllib.request.Request(
    b + "/api/feed?limit=1", headers={"Authorization": "Bearer " + tok_c})))["next"]
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=12)
conn.request("GET", "/api/feed", headers={"Accept": "text/event-stream",
             "Authorization": "Bearer " + tok_a, "Last-Event-ID": "0"})
resp = conn.getresponse()
seen = []
cond = threading.Condition()
def reader():
    for line in resp:
        line = line.decode().strip()
        if line.startswith("data:") and '"record":%s,' % rid in line:
            with cond:
                seen.append(time.monotonic())
                cond.notify_all()
threading.Thread(target=reader, daemon=True).start()
time.sleep(0.5)
with cond:
    seen.clear()
out = []
for i in range(rounds):
    r = urllib.request.Request(b + "/api/activities/%s" % rid,
                               headers={"Authorization": "Bearer " + tok_c})
    ver = json.load(urllib.request.urlopen(r))["version"]
    body = json.dumps({"releasability": "public" if i % 2 else "partners"}).encode()
    r = urllib.request.Request(b + "/api/activities/%s/marking" % rid, data=body, method="PUT",
                               headers={"Authorization": "Bearer " + tok_c,
                                        "If-Match": '"%s"' % ver})
    with cond:
        n0 = len(seen)
    t0 = time.monotonic()
    urllib.request.urlopen(r).read()
    with cond:
        ok = cond.wait_for(lambda: len(seen) > n0, timeout=10)
        out.append("%.3f" % (seen[n0] - t0) if ok else "timeout")
    time.sleep(0.13 * (i % 3))  # not in step with the poll
print(" ".join(out))
EOF
}
lat() { # lat on|off: servers A and B with CONCORD_FEED_NOTIFY=on|off, 8 rounds into lat.on|off
	mkdir "a$1" "b$1"
	for d in a b; do
		(cd "$d$1" && CONCORD_FEED_NOTIFY=$1 && export CONCORD_FEED_NOTIFY &&
			serve_start -d "$RURI" --threads 2 && echo "$PID" >pid && echo "$URL" >url) ||
			exit 1
		rm -rf $d
		ln -s "$d$1" $d
	done
	measure 8 >"lat.$1"
	stop_servers "a$1" "b$1"
}
trap 'kill $(cat a*/pid b*/pid 2>/dev/null) 2>/dev/null; pg_stop; cleanup_work' EXIT
lat on
lat off
with=$(cat lat.on) without=$(cat lat.off)
summary() { echo "$1" | tr ' ' '\n' | grep -v timeout | sort -n |
	awk '{ v[NR] = $1; s += $1 } END { if (NR) printf "median %.3f s, mean %.3f s, max %.3f s", v[int((NR + 1) / 2)], s / NR, v[NR] }'; }
echo "# latency B edit -> A SSE event, with NOTIFY: $with ($(summary "$with"))"
echo "# latency B edit -> A SSE event, poll only:   $without ($(summary "$without"))"
is "$(echo "$with" | wc -w) $(echo "$with" | grep -c timeout)" "8 0" \
	"with NOTIFY: each of 8 changes through B reaches A's stream within 10 s"
is "$(echo "$without" | wc -w) $(echo "$without" | grep -c timeout)" "8 0" \
	"polling only (CONCORD_FEED_NOTIFY=off): each within 10 s as well"
is "$(psql cc "SELECT count(*) FROM change")" \
	"$("$CONCORD" -d "$PGURI" audit verify 2>/dev/null | sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p')" \
	"the change log is one verified chain"

done_testing
