#!/usr/bin/env bash
# Issuing benchmark (issue 16, BENCHMARKS.md "Issuing (issue 16)").
#
#   bash bench/issue/run.sh [-n N] [-jobs J] [-peer M] [-dir DIR] [-keep] [-no-steps] [-no-peer]
#
# Builds badgebake (CGO_ENABLED=0) and the helper in this folder, makes an
# Ed25519 and a P-256 key (badgebake keygen), an OB 3.0 template with each
# key's did:key issuer and a CSV of N rows (default 10,000), then:
#
# 1. times `badgebake issue --offline --status-list-url URL` with a fresh
#    ledger and output folder each, for eddsa-rdfc-2022 (Ed25519) and
#    vc-jwt (Ed25519 EdDSA, P-256 ES256), with an SQLite ledger and, when
#    BADGEBAKE_TEST_POSTGRES names a server (postgres://…), a fresh
#    database on it; /usr/bin/time gives wall, CPU and peak RSS;
# 2. runs the same issues through the helper (`steps`: package issue's Run
#    over the real signer and ledger) for each step's share of the time;
# 3. issues M (default 300) credentials per format WITHOUT a status list,
#    unbakes them (helper `extract`) and verifies them with the independent
#    peers (bench/ob3peer run.sh -issued: verifier-core for the Data
#    Integrity ones, jose for the VC-JWTs), then 10 WITH the status list, to
#    show what verifier-core makes of a list it cannot fetch. Needs node and
#    npm (skipped without them).
#
# -jobs J is passed to issue (default: its own, the number of CPUs).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=10000 jobs="" peer=300 parent="${TMPDIR:-/tmp}" keep=0 do_steps=1 do_peer=1
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-jobs) jobs=$2; shift 2 ;;
	-peer) peer=$2; shift 2 ;;
	-dir) parent=$2; shift 2 ;;
	-keep) keep=1; shift ;;
	-no-steps) do_steps=0; shift ;;
	-no-peer) do_peer=0; shift ;;
	-h | --help) sed -n '2,24p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

work=$(mktemp -d "$parent/badgebake-issue-XXXXXX")
pg_dbs=()
cleanup() {
	for db in ${pg_dbs[@]+"${pg_dbs[@]}"}; do
		psql -q "$BADGEBAKE_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	done
	[ "$keep" = 0 ] && rm -rf "$work"
	return 0
}
trap cleanup EXIT
[ "$keep" = 1 ] && echo "run.sh: files kept in $work"

echo "== build ($(cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown)), $(go version | awk '{print $3}'), $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%M:%SZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$root" && CGO_ENABLED=0 go build -o "$work/badgebake" ./cmd/badgebake && CGO_ENABLED=0 go build -o "$work/helper" ./bench/issue)
bb="$work/badgebake"
image="$root/testdata/badge.png"
list_url="https://issuer.example.org/status/1"

# template KEYDIR: an OB 3.0 template issued by the key's did:key.
template() {
	local did
	did=$(cat "$1/did")
	cat >"$1/template.json" <<EOF
{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "{{.id}}",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "$did", "type": ["Profile"], "name": "Example Issuer", "url": "https://issuer.example.org"},
  "validFrom": "{{.date}}",
  "name": "Robotics",
  "credentialSubject": {
    "type": ["AchievementSubject"],
    "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": false, "identityHash": "{{.email}}"}],
    "achievement": {
      "id": "https://issuer.example.org/achievements/robotics",
      "type": ["Achievement"],
      "name": "Robotics",
      "description": "Awarded to {{.name}} for building a robot that climbs stairs.",
      "criteria": {"narrative": "Build a robot; show it climbing a flight of stairs."}
    }
  }
}
EOF
}
for type in ed25519 p256; do
	"$bb" keygen --type "$type" -o "$work/keys/$type" >"$work/keys.out" 2>/dev/null
	head -n 1 "$work/keys.out" >"$work/keys/$type/did"
	template "$work/keys/$type"
done
# recipients N FILE: a CSV of N rows.
recipients() {
	awk -v n="$1" 'BEGIN { print "key,name,email,date"; for (i = 1; i <= n; i++) printf "r%06d,Person %d,person%d@example.org,2026-01-01T00:00:00Z\n", i, i, i }' >"$2"
}
recipients "$n" "$work/recipients.csv"

cases=("eddsa-rdfc-2022 ed25519" "vc-jwt ed25519" "vc-jwt p256")
ledgers=(sqlite)
if [ -n "${BADGEBAKE_TEST_POSTGRES:-}" ] && command -v psql >/dev/null 2>&1; then
	ledgers+=(postgres)
else
	echo "run.sh: BADGEBAKE_TEST_POSTGRES unset (or no psql): the PostgreSQL ledger is skipped"
fi
seq=0
# ledger_for KIND sets l to a fresh ledger (an SQLite file, or a new
# database on the PostgreSQL server) and seq to its number.
ledger_for() {
	seq=$((seq + 1))
	if [ "$1" = sqlite ]; then
		l="$work/ledger-$seq.db"
	else
		local db="badgebake_bench_$$_$seq"
		psql -q "$BADGEBAKE_TEST_POSTGRES" -c "CREATE DATABASE $db" >/dev/null
		pg_dbs+=("$db")
		# The server's URL with the database replaced.
		l=$(echo "$BADGEBAKE_TEST_POSTGRES" | sed -E "s#^(postgres(ql)?://[^/]+)/[^?]*#\1/$db#")
	fi
}

echo "== badgebake issue, $n rows, --status-list-url, --offline${jobs:+, --jobs $jobs}"
printf '%-16s %-8s %-10s %8s %8s %8s %10s %10s %s\n' format key ledger rows wall_s cpu_s badges/s per_cpu_s peak_rss
for c in "${cases[@]}"; do
	set -- $c
	format=$1 key=$2
	for kind in "${ledgers[@]}"; do
		ledger_for "$kind"
		out="$work/out-$seq"
		/usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bb" issue -q --offline --format "$format" \
			--template "$work/keys/$key/template.json" --recipients "$work/recipients.csv" --image "$image" \
			--key "$work/keys/$key/key.pem" --out "$out" --ledger "$l" --status-list-url "$list_url" ${jobs:+--jobs "$jobs"}
		files=$(find "$out" -name '*.png' | wc -l)
		read -r wall user sys rss <"$work/time"
		awk -v f="$format" -v k="$key" -v l="$kind" -v n="$files" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" \
			'BEGIN { c = u + s; printf "%-16s %-8s %-10s %8d %8.2f %8.2f %10.0f %10.0f %.1f MB\n", f, k, l, n, w, c, n / w, n / c, r / 1000 }'
		[ "$files" = "$n" ] || echo "run.sh: $files images written, not $n" >&2
		rm -rf "$out"
	done
done

if [ "$do_steps" = 1 ]; then
	echo "== step shares (helper steps: issue.Run, real signer and ledger, offline verifier), $n rows"
	for c in "${cases[@]}"; do
		set -- $c
		for kind in "${ledgers[@]}"; do
			ledger_for "$kind"
			"$work/helper" steps -format "$1" -key "$work/keys/$2/key.pem" -template "$work/keys/$2/template.json" \
				-recipients "$work/recipients.csv" -image "$image" -out "$work/out-$seq" -ledger "$l" \
				-status-list-url "$list_url" ${jobs:+-jobs "$jobs"} | sed "1s/^steps /steps ($2) /"
			rm -rf "$work/out-$seq"
		done
	done
fi

if [ "$do_peer" = 1 ]; then
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "run.sh: node or npm not found: the independent verification is skipped"
		exit 0
	fi
	peerdir="$root/bench/ob3peer"
	if [ ! -f "$peerdir/node_modules/.package-lock.json" ] || [ "$peerdir/package-lock.json" -nt "$peerdir/node_modules/.package-lock.json" ]; then
		(cd "$peerdir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
	recipients "$peer" "$work/peer.csv"
	recipients 10 "$work/peer-status.csv"
	status=0
	for c in "${cases[@]}"; do
		set -- $c
		d="$work/peer-$1-$2"
		mkdir -p "$d"
		"$bb" issue -q --offline --format "$1" --template "$work/keys/$2/template.json" --recipients "$work/peer.csv" \
			--image "$image" --key "$work/keys/$2/key.pem" --out "$d/images" --ledger "$d/ledger.db"
		"$work/helper" extract -out "$d/credentials" "$d/images" >/dev/null
		echo "== independent verification: $peer badges issued as $1 ($2), no status list"
		bash "$peerdir/run.sh" -issued "$d/credentials" -runs 1 || status=1
		echo "== badgebake verify --offline over the same $peer images"
		"$bb" verify --offline --json "$d/images" | tail -n 1
	done
	d="$work/peer-status"
	mkdir -p "$d"
	"$bb" issue -q --offline --format eddsa-rdfc-2022 --template "$work/keys/ed25519/template.json" --recipients "$work/peer-status.csv" \
		--image "$image" --key "$work/keys/ed25519/key.pem" --out "$d/images" --ledger "$d/ledger.db" --status-list-url "$list_url"
	"$work/helper" extract -out "$d/credentials" "$d/images" >/dev/null
	echo "== independent verification: 10 eddsa-rdfc-2022 badges WITH --status-list-url (the list is not published: expected not valid)"
	bash "$peerdir/run.sh" -issued "$d/credentials" -runs 0 || true
	exit "$status"
fi
