#!/usr/bin/env bash
# Runs every fuzz target of the module for the given time each (default 60s).
# Seed corpora already run as ordinary tests in `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-60s}
git grep -l '^func Fuzz' -- '*_test.go' | while read -r file; do
  pkg=./$(dirname "$file")
  for target in $(grep -oE '^func Fuzz[A-Za-z0-9_]+' "$file" | cut -c6-); do
    echo "== $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
