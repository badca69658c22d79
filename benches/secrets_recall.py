#!/usr/bin/env python3
"""Recall and false reports of ward's secrets pack on gitleaks' own samples.

Usage: python3 benches/secrets_recall.py WARD_BINARY SAMPLES_JSON [--claimed OUT.json]
       python3 benches/secrets_recall.py WARD_BINARY SAMPLES_JSON --gitleaks CONFIG.toml

SAMPLES_JSON is `shared/peers/gitleaks-samples.json` (gitleaks' rule
generators' true and false samples, MIT). Each sample is written to a file of
its own (`<gitleaks rule>/tp-<n>.txt`, `fp-<n>.txt`) in a temporary directory,
ward checks the directory once with its defaults, and a sample counts as
caught when any `secrets/` finding lands in its file.

Prints recall over all true samples, false samples reported, and per
gitleaks rule the caught counts. With --claimed, writes the samples of the
formats ward claims (every gitleaks rule whose true samples ward's pack
catches all of), with the false samples of those rules ward does not
report, to OUT.json: the data of the suite's recall test
(`tests/cli/secrets.rs`), which fails if a later change loses one.

With --gitleaks, ward reads that gitleaks configuration instead
(`extends = ["gitleaks:CONFIG"]`) and a sample counts as
caught only under the rule gitleaks reports it by (`gitleaks/<id>`):
exactness, not recall.
"""

import base64
import collections
import json
import os
import re
import subprocess
import sys
import tempfile


def run(ward, samples, gitleaks=None):
    with tempfile.TemporaryDirectory() as tmp:
        where = {}
        for rule in samples:
            base = os.path.join(tmp, rule["rule_id"])
            os.makedirs(base, exist_ok=True)
            for kind in ("tps", "fps"):
                for n, sample in enumerate(rule.get(kind) or []):
                    # A sample with a path (rules limited to `.tf` files,
                    # `nuget.config`…) is written under that name.
                    name = f"{kind[:2]}-{n}.txt"
                    if sample.get("path"):
                        parts = [p for p in sample["path"].split("/") if p not in ("", ".", "..")]
                        name = "/".join([f"{kind[:2]}-{n}"] + parts)
                    os.makedirs(os.path.dirname(os.path.join(base, name)), exist_ok=True)
                    with open(os.path.join(base, name), "wb") as f:
                        f.write(base64.b64decode(sample["raw"]))
                    where[f"{rule['rule_id']}/{name}"] = (rule["rule_id"], kind, n)
        with open(os.path.join(tmp, "ward.toml"), "w") as config:
            if gitleaks:
                # A config may only extend files inside the checked tree.
                with open(gitleaks, "rb") as src, open(os.path.join(tmp, ".gitleaks.toml"), "wb") as dst:
                    dst.write(src.read())
                config.write('extends = ["gitleaks:.gitleaks.toml"]\n')
        out = subprocess.run(
            [ward, "check", "--no-cache", "--no-progress", "--format", "json", "."],
            cwd=tmp, capture_output=True, text=True)
        if out.returncode not in (0, 1):
            sys.exit(f"ward failed ({out.returncode}): {out.stderr}")
        report = json.loads(out.stdout)
        caught = collections.defaultdict(set)
        for finding in report["findings"]:
            path = finding.get("path")
            if path not in where:
                continue
            if gitleaks:
                sample_rule = where[path][0].lower()
                rule = finding["rule"]
                # gitleaks drops a generic finding under a specific secret of
                # the same line (`genericToken=CLOJARS_…` is reported as
                # clojars-api-token), so such a report is the one it gives.
                as_gitleaks = rule == "gitleaks/" + sample_rule or (
                    "generic" in sample_rule and "generic" not in rule
                    and rule.startswith("gitleaks/") and where[path][1] == "tps")
                if as_gitleaks:
                    caught[path].add(rule)
            elif finding["rule"].startswith("secrets/"):
                caught[path].add(finding["rule"])
        return where, caught


def main():
    ward, path = os.path.abspath(sys.argv[1]), sys.argv[2]
    claimed_out = sys.argv[sys.argv.index("--claimed") + 1] if "--claimed" in sys.argv else None
    gitleaks = None
    if "--gitleaks" in sys.argv:
        gitleaks = os.path.abspath(sys.argv[sys.argv.index("--gitleaks") + 1])
    samples = json.load(open(path))
    if gitleaks:
        # Rules whose generator exists but that the config does not hold
        # (gcp-service-account) are not reported by gitleaks either.
        configured = set(re.findall(r'^id\s*=\s*"([^"]+)"', open(gitleaks).read(), re.M))
        samples = [r for r in samples if r["rule_id"] in configured]
    where, caught = run(ward, samples, gitleaks)
    per_rule = collections.defaultdict(lambda: [0, 0, 0, 0])  # tp, tp caught, fp, fp caught
    for file, (rule, kind, _) in where.items():
        row = per_rule[rule]
        if kind == "tps":
            row[0] += 1
            row[1] += bool(caught.get(file))
        else:
            row[2] += 1
            row[3] += bool(caught.get(file))
    tps = sum(r[0] for r in per_rule.values())
    tps_caught = sum(r[1] for r in per_rule.values())
    fps = sum(r[2] for r in per_rule.values())
    fps_caught = sum(r[3] for r in per_rule.values())
    print(f"true samples caught: {tps_caught}/{tps} ({100 * tps_caught / tps:.1f}%)")
    print(f"false samples reported: {fps_caught}/{fps}")
    # A false sample is false for its own format; the same text may well be
    # another format's secret (a Cloudflare API key is a false sample of the
    # global-key rule): under its own rule id it must never be reported.
    own_false = sum(1 for file, (rule, kind, _) in where.items()
                    if kind == "fps" and any(r.split("/", 1)[1] == rule.lower()
                                             for r in caught.get(file, ())))
    print(f"false samples reported under their own rule: {own_false}/{fps}")
    full = sorted(r for r, row in per_rule.items() if row[0] and row[1] == row[0])
    print(f"gitleaks rules with every true sample caught: {len(full)}/{len(per_rule)}")
    for rule, row in sorted(per_rule.items()):
        print(f"  {rule}: tp {row[1]}/{row[0]} fp {row[3]}/{row[2]}")
    if claimed_out:
        keep = []
        for rule in samples:
            if rule["rule_id"] not in full:
                continue
            fps = [s for n, s in enumerate(rule.get("fps") or [])
                   if not any(caught.get(f) for f, w in where.items() if w == (rule["rule_id"], "fps", n))]
            text = lambda s: {"text": base64.b64decode(s["raw"]).decode("utf-8")}
            keep.append({"rule_id": rule["rule_id"],
                         "tps": [text(s) for s in rule["tps"]],
                         "fps": [text(s) for s in fps]})
        with open(claimed_out, "w") as f:
            json.dump(keep, f, indent=0, sort_keys=True, ensure_ascii=False)
            f.write("\n")


if __name__ == "__main__":
    main()
