#!/usr/bin/env bash
# ward never opens a network connection: run it under strace over the
# secrets fixture (every format, a git repository, the cache on) and fail on
# any socket-family system call. Installs strace from Debian if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v strace >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq strace >/dev/null; else sudo apt-get install -y -qq strace >/dev/null; fi
fi
cargo build --quiet --bin ward
ward="$PWD/target/debug/ward"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/secrets "$work/repo"
git -C "$work/repo" init -q
git -C "$work/repo" add -A
log="$work/strace.log"
for format in text json sarif junit github; do
    (cd "$work/repo" && strace -f -qq -o "$log.$format" \
        -e trace=socket,socketpair,connect,bind,listen,accept,accept4,sendto,sendmsg \
        "$ward" check --format "$format" --cache-dir "$work/cache" >/dev/null) || true
    # Only the traced calls themselves count: strace also logs signals,
    # exits and, for threads it loses track of, `???( <detached ...>`.
    if grep -qE '^[0-9]+ +(socket|socketpair|connect|bind|listen|accept4?|sendto|sendmsg)\(' "$log.$format"; then
        echo "ward made network system calls with --format $format:" >&2
        cat "$log.$format" >&2
        exit 1
    fi
done
echo "no-network: no socket system call in 5 formats"
