#!/usr/bin/env bash
# Builds the Badger interop tool (/work/shared/interop's badgerinterop.go, copied into
# src/test/resources/interop/) with real Badger v2 from Debian's packages, into
# target/badgerinterop/badgerinterop. BadgerInteropTest runs it when it is there; under CI=true a
# missing tool fails that test. Installs the packages when they are missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."

src="src/test/resources/interop/badgerinterop.go"
out="target/badgerinterop"

if ! command -v go >/dev/null 2>&1 || ! dpkg -s golang-github-dgraph-io-badger-dev >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing golang-go and golang-github-dgraph-io-badger-dev"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-github-dgraph-io-badger-dev >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q golang-go golang-github-dgraph-io-badger-dev >/dev/null; }
  else
    echo "== cannot install golang-go and golang-github-dgraph-io-badger-dev (not root or no apt-get)" >&2
    exit 1
  fi
fi

gopath="$(dpkg -L golang-github-dgraph-io-badger-dev | grep -m1 'gocode$')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out" "$work/badgerinterop"
cp "$src" "$work/badgerinterop/main.go"
echo "== building the Badger interop tool into $out/badgerinterop"
(cd "$work/badgerinterop" && GO111MODULE=off GOPATH="$gopath" GOCACHE="$work/cache" GOPROXY=off \
  go build -o "$OLDPWD/$out/badgerinterop" .)
"$out/badgerinterop" 2>/dev/null || [ $? -eq 2 ] # prints its usage, exits 2: it runs
