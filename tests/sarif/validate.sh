#!/usr/bin/env bash
# Validates ward's SARIF with Microsoft's SARIF Multitool (installed from npm
# into target/sarif-tool). The Multitool exits 0 even when it finds problems,
# so its own SARIF log is read: any result at level error or warning fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

tool=target/sarif-tool/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
if [ ! -x "$tool" ]; then
  mkdir -p target/sarif-tool
  npm install --silent --prefix target/sarif-tool @microsoft/sarif-multitool-linux
  chmod +x "$tool"
fi
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

cargo build --quiet
out=target/sarif-check
rm -rf "$out" && mkdir -p "$out"
out=$(cd "$out" && pwd)
ward=$(pwd)/target/debug/ward
# Each fixture is a repository of its own: copied outside this git work
# tree, where its ward.toml would be a nested config of ward's own.
trees=$(mktemp -d)
trap 'rm -rf "$trees"' EXIT
for fixture in text text-clean secrets; do
  cp -r "tests/fixtures/$fixture" "$trees/$fixture"
  (cd "$trees/$fixture" && "$ward" check --format sarif --output "$out/$fixture.sarif" || [ $? -eq 1 ])
done
# `ward merge` of two repositories' logs is a SARIF log too.
target/debug/ward merge "$out/text.sarif" "$out/secrets.sarif" --output "$out/merged.sarif"
for fixture in text text-clean secrets merged; do
  "$tool" validate "$out/$fixture.sarif" --output "$out/$fixture.validation.sarif" --level Error Warning > "$out/$fixture.log" 2>&1 \
    || { cat "$out/$fixture.log"; exit 1; }
  python3 - "$out/$fixture.validation.sarif" "$fixture" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
problems = [r for run in log["runs"] for r in run.get("results", []) if r.get("level") in ("error", "warning")]
for r in problems:
    print(f"{r['ruleId']} {r['level']}: {r['message'].get('text') or r['message'].get('arguments')}")
if problems:
    sys.exit(f"SARIF for {sys.argv[2]}: {len(problems)} errors or warnings")
print(f"SARIF for {sys.argv[2]}: valid, 0 errors, 0 warnings")
PY
done
