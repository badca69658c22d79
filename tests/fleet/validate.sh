#!/usr/bin/env bash
# Checks fleet outputs with the tools that consume them:
# - `--metrics` with the Prometheus client library's own text-format parser
#   (prometheus-client from PyPI);
# - `ward report --html` in headless Chromium (Debian's `chromium`): the page
#   must render, its DOM must show the report's counts, and its screenshot
#   must show the coloured count cards.
# Installs what is missing: a venv under target/ from PyPI, chromium from apt.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

venv="$root/target/fleet-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -c 'import prometheus_client, PIL' 2>/dev/null ||
    "$venv/bin/pip" install --quiet --disable-pip-version-check prometheus-client pillow

if ! command -v chromium >/dev/null; then
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

cargo build --quiet --bin ward
ward="$root/target/debug/ward"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tests/fixtures/plugins "$work/repo"

# Metrics: every sample parses; the counts match the JSON report.
(cd "$work/repo" && "$ward" check --no-cache --repository 'fleet "demo"' \
    --metrics "$work/metrics.prom" --format json -o "$work/report.json") || true
"$venv/bin/python" - "$work/metrics.prom" "$work/report.json" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
report = json.load(open(sys.argv[2]))
families = {f.name: f for f in text_string_to_metric_families(text)}
def value(name, **labels):
    for s in families[name].samples:
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise SystemExit(f"no sample {name} {labels}")
assert value("ward_info", repository='fleet "demo"') == 1
assert value("ward_files_scanned") == report["summary"]["files_scanned"]
for sev in ("error", "warning", "info"):
    assert value("ward_findings", severity=sev) == report["summary"]["by_severity"][sev], sev
per_rule = sum(s.value for s in families["ward_rule_findings"].samples)
assert per_rule == report["summary"]["findings"], (per_rule, report["summary"]["findings"])
assert any(s.labels["plugin"] == "text" for s in families["ward_plugin_duration_seconds"].samples)
print(f"metrics: {len(families)} families parse with prometheus_client; counts match the report")
PY

# HTML: rendered by Chromium, counts in the DOM, cards in the screenshot.
"$ward" report --html "$work/report.json" -o "$work/report.html"
chrome=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage
        --no-first-run --hide-scrollbars --window-size=1200,900)
"${chrome[@]}" --dump-dom "file://$work/report.html" > "$work/dom.html" 2>/dev/null
"${chrome[@]}" --screenshot="$work/shot.png" "file://$work/report.html" >/dev/null 2>&1
"$venv/bin/python" - "$work/dom.html" "$work/shot.png" "$work/report.json" <<'PY'
import json, re, sys
from PIL import Image
dom = open(sys.argv[1]).read()
report = json.load(open(sys.argv[3]))
summary = report["summary"]
for ident, want in [("count-total", summary["findings"]),
                    ("count-error", summary["by_severity"]["error"]),
                    ("count-files", summary["files_scanned"])]:
    got = re.search(rf'id="{ident}">(\d+)<', dom)
    assert got and int(got.group(1)) == want, (ident, got and got.group(1), want)
rows = dom.count('<tr>')
assert rows >= summary["findings"], rows
image = Image.open(sys.argv[2]).convert("RGB")
assert image.size == (1200, 900), image.size
colours = image.getcolors(maxcolors=1 << 20)
present = {c for _, c in colours}
# The error card (#c92a2a) and the findings card (#24292f) are drawn.
for name, rgb in [("error card", (0xc9, 0x2a, 0x2a)), ("total card", (0x24, 0x29, 0x2f))]:
    count = sum(n for n, c in colours if c == rgb)
    assert count > 2000, (name, count)
print(f"html: Chromium renders the page; DOM counts match ({summary['findings']} findings); "
      f"screenshot shows the count cards ({len(present)} colours)")
PY
