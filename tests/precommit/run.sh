#!/usr/bin/env bash
# ward under the real pre-commit framework: `pre-commit try-repo` builds this
# checkout the way users get it (language: rust, cargo install --path .) and
# runs the hooks in a scratch git repository.
set -euo pipefail
ward_repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ward_repo"

if ! python3 -m pre_commit --version > /dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
# pre-commit's cache (the built hook environment) lives in target/, so a
# second run reuses the build.
export PRE_COMMIT_HOME="$ward_repo/target/pre-commit-home"
# try-repo clones the checkout afresh each time and pre-commit runs
# `cargo install` in it; one shared target directory makes every build after
# the first a relink instead of a full release build.
export CARGO_TARGET_DIR="$ward_repo/target/pre-commit-build"
# The test is about how pre-commit runs the hooks, not about speed: an
# unoptimised "release" build takes a third of the time on a fresh machine.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_DEBUG=false
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=ward GIT_AUTHOR_EMAIL=ward@ward.invalid
export GIT_COMMITTER_NAME=ward GIT_COMMITTER_EMAIL=ward@ward.invalid

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
git init -q -b main
printf 'clean\n' > clean.txt
printf '# Scratch\n' > README.md
cp "$ward_repo/tests/fixtures/text/LICENSE" LICENSE
git add clean.txt README.md LICENSE

echo "pre-commit: a clean repository passes"
python3 -m pre_commit try-repo "$ward_repo" ward --all-files > out.txt 2>&1 || { cat out.txt; echo "FAIL: clean repository failed the ward hook"; exit 1; }
grep -q "^ward\.*Passed" out.txt || { cat out.txt; echo "FAIL: the ward hook did not report Passed"; exit 1; }

echo "pre-commit: a violating file fails with ward's message"
printf 'trailing  \n' > bad.txt
git add bad.txt
if python3 -m pre_commit try-repo "$ward_repo" ward --all-files > out.txt 2>&1; then
  cat out.txt; echo "FAIL: a violating file passed the ward hook"; exit 1
fi
grep -q "text/trailing-whitespace" out.txt || { cat out.txt; echo "FAIL: ward's message is missing"; exit 1; }
grep -q "bad.txt:1:9" out.txt || { cat out.txt; echo "FAIL: the location bad.txt:1:9 is missing"; exit 1; }

echo "pre-commit: the ward-repo hook runs once, without file names"
python3 -m pre_commit try-repo "$ward_repo" ward-repo --all-files > out.txt 2>&1 || { cat out.txt; echo "FAIL: ward-repo failed"; exit 1; }
grep -q "^ward (repository checks)\.*Passed" out.txt || { cat out.txt; echo "FAIL: ward-repo did not pass"; exit 1; }

echo "pre-commit: ward-repo fails when a required file is missing"
git rm -qf README.md
if python3 -m pre_commit try-repo "$ward_repo" ward-repo --all-files > out.txt 2>&1; then
  cat out.txt; echo "FAIL: ward-repo passed without a README"; exit 1
fi
grep -q "no README file" out.txt || { cat out.txt; echo "FAIL: the required-file message is missing"; exit 1; }

echo "pre-commit: 4 passed, 0 failed"
