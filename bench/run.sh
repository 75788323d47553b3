#!/usr/bin/env bash
# Folder benchmark and peak-memory test of BENCHMARKS.md.
#
#   bash bench/run.sh [FLAGS FOR bench/folder...]
#
# Run from anywhere (it changes to the repository root). Builds the badgebake
# command and bench/folder into bench/out/, installs Mozilla's
# openbadges-bakery 1.0.5 from the npm registry into bench/out/node (the
# comparison is skipped, with a message, when npm or node is missing or the
# install fails), then runs bench/folder, which generates the folders in the
# system temporary directory (-dir to change, -keep to keep them) and removes
# them afterwards. Raw output: bench/out/folder-STAMP.txt and .md.
#
# GO_BENCH=1 also runs the go test benchmarks into bench/out/gotest-STAMP.txt.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=bench/out
mkdir -p "$out"
stamp=$(date -u +%Y%m%dT%H%M%SZ)

go build -o "$out/badgebake" ./cmd/badgebake
go build -o "$out/folder" ./bench/folder

bakery_version=1.0.5
if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then
	pkg="$out/node/node_modules/openbadges-bakery/package.json"
	if ! grep -q "\"version\": \"$bakery_version\"" "$pkg" 2>/dev/null; then
		if ! npm install --prefix "$out/node" --no-audit --no-fund "openbadges-bakery@$bakery_version"; then
			echo "run.sh: npm install openbadges-bakery@$bakery_version failed: the Mozilla comparison will be skipped" >&2
		fi
	fi
else
	echo "run.sh: npm or node not found: the Mozilla comparison will be skipped" >&2
fi

# The library sources measured (there may be no commit to name).
src_hash=$(find png svg payload bake unbake internal cmd -name '*.go' ! -name '*_test.go' -print0 |
	sort -z | xargs -0 cat | sha256sum | cut -c1-16)
{
	echo "library sources (non-test .go files) sha256: $src_hash"
	echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')"
} | tee "$out/folder-$stamp.txt"

"$out/folder" -markdown "$out/folder-$stamp.md" "$@" | tee -a "$out/folder-$stamp.txt"
echo "raw output: $out/folder-$stamp.txt, $out/folder-$stamp.md"

if [[ "${GO_BENCH:-}" == 1 ]]; then
	go test -run '^$' -bench . -benchmem -count 3 ./unbake ./bake ./png ./svg | tee "$out/gotest-$stamp.txt"
fi
