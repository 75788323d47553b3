#!/usr/bin/env bash
# Peer benchmark of badgebake's Open Badges 3.0 verifier (see README.md).
#
#   bash bench/ob3peer/run.sh [-n N] [-runs R] [-suite S] [-dir DIR] [-keep] [-schemas DIR] [PATH...]
#   bash bench/ob3peer/run.sh -issued DIR [-runs R] [-schemas DIR]
#
# Installs the pinned peers (package-lock.json) into bench/ob3peer/node_modules
# with npm ci, issues N (default 300) OB 3.0 credentials signed with
# eddsa-rdfc-2022 (-suite ed25519-2020: Ed25519Signature2020) by a did:key
# Ed25519 key, and the same credentials as
# EdDSA VC-JWTs, into a temporary folder (under -dir; kept with -keep), then
# verifies them fully offline: the Data Integrity files with
# @digitalcredentials/verifier-core, the JWTs with jose. PATHs given are
# verified by verifier-core as well (e.g. the OB 3.0 spec test vector).
# When go is on PATH, badgebake verify --offline runs over the same folders
# in the same run, for the side-by-side figures of BENCHMARKS.md.
# Without node or npm it says so and exits 0: nothing else depends on it.
#
# -issued DIR verifies credentials someone else issued instead (badgebake
# issue's, extracted by bench/issue): every *.json file under DIR with
# verifier-core, every *.jwt file with jose (did:key Ed25519 or P-256), and
# exits 1 unless every verdict is "valid".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=300 runs=3 suite=eddsa-rdfc-2022 parent="${TMPDIR:-/tmp}" keep=0 schemas="" paths=() issued=""
while [ $# -gt 0 ]; do
	case "$1" in
	-n) n=$2; shift 2 ;;
	-runs) runs=$2; shift 2 ;;
	-suite) suite=$2; shift 2 ;;
	-dir) parent=$2; shift 2 ;;
	-keep) keep=1; shift ;;
	-schemas) schemas=$2; shift 2 ;;
	-issued) issued=$2; shift 2 ;;
	-h | --help) sed -n '2,22p' "$0"; exit 0 ;;
	-*) echo "run.sh: unknown flag $1" >&2; exit 2 ;;
	*) paths+=("$1"); shift ;;
	esac
done

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "run.sh: node or npm not found: the peer benchmark is skipped" >&2
	exit 0
fi
# npm ci whenever the lock file changed since the last install.
if [ ! -f "$here/node_modules/.package-lock.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# all_valid OUTPUT: whether every verdict peer.mjs listed under "verdicts
# (first pass):" is valid (the schema note after it aside).
all_valid() {
	echo "$1" | awk '/verdicts \(first pass\):$/ { in_list = 1; next }
		in_list && /^ / { if ($2 != "valid" && $2 != "valid;") bad = 1; next }
		{ in_list = 0 }
		END { exit bad }'
}

if [ -n "$issued" ]; then
	schema_args=()
	[ -n "$schemas" ] && schema_args=(--schemas "$schemas")
	status=0
	echo "== node $(node --version), $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%M:%SZ); credentials under $issued"
	if [ -n "$(find "$issued" -name '*.json' -print -quit)" ]; then
		echo "== @digitalcredentials/verifier-core $(node -p 'require(process.argv[1]).version' "$here/node_modules/@digitalcredentials/verifier-core/package.json")"
		out=$(node "$here/peer.mjs" verify --runs "$runs" "${schema_args[@]}" "$issued") || status=1
		echo "$out"
		all_valid "$out" || status=1
	fi
	if [ -n "$(find "$issued" -name '*.jwt' -print -quit)" ]; then
		echo "== jose $(node -p 'require(process.argv[1]).version' "$here/node_modules/jose/package.json")"
		out=$(node "$here/peer.mjs" verify-jwt --runs "$runs" "$issued") || status=1
		echo "$out"
		all_valid "$out" || status=1
	fi
	exit "$status"
fi

work=$(mktemp -d "$parent/badgebake-ob3peer-XXXXXX")
if [ "$keep" = 0 ]; then
	trap 'rm -rf "$work"' EXIT
else
	echo "run.sh: files kept in $work"
fi

echo "== node $(node --version), $(nproc) CPU(s), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
node "$here/peer.mjs" issue --out "$work" --n "$n" --suite "$suite" --jwt
schema_args=()
[ -n "$schemas" ] && schema_args=(--schemas "$schemas")
echo "== @digitalcredentials/verifier-core $(node -p 'require(process.argv[1]).version' "$here/node_modules/@digitalcredentials/verifier-core/package.json"), $suite"
node "$here/peer.mjs" verify --runs "$runs" "${schema_args[@]}" "$work/di" ${paths[@]+"${paths[@]}"}
echo "== jose $(node -p 'require(process.argv[1]).version' "$here/node_modules/jose/package.json"), VC-JWT EdDSA"
node "$here/peer.mjs" verify-jwt --runs "$runs" "$work/jwt"

if command -v go >/dev/null 2>&1; then
	(cd "$root" && go build -o "$work/badgebake" ./cmd/badgebake)
	for kind in di jwt; do
		echo "== badgebake verify --offline --json $kind ($(cd "$root" && git describe --always --dirty 2>/dev/null || echo unknown))"
		for r in $(seq "$runs"); do
			# The summary line counts the verdicts and times the batch.
			"$work/badgebake" verify --offline --json "$work/$kind" | tail -n 1 |
				node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(`badgebake: run '"$r"': ${j.files} credentials, ${(j.files/j.elapsed_seconds).toFixed(1)} credentials/s; valid ${j.valid}, invalid ${j.invalid}, not checked ${j.indeterminate}; errors ${JSON.stringify(j.by_error)}`)})' ||
				true
		done
	done
fi
