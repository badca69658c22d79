#!/usr/bin/env python3
"""What nested configs cost, as ratios measured in one run.

Usage: python3 benches/nested.py WARD TREE [--baseline OLD_WARD] [--runs N] [--configs K]

TREE is any directory (a fetched repository: benches/precision.py's trees).
It is copied twice into a temporary directory, neither copy a git work
tree (its top holds the one root `ward.toml`):

- plain: the tree, no nested config;
- nested: the same, plus a `ward.toml` in each of the K (default 100)
  directories holding the most files: an `exclude` glob that matches
  nothing there and a `[rules]` entry, so every file's config chain and
  every finding's severity go through them.

Then, interleaved, median of N runs (default 5) of
`ward check --no-cache --no-progress --format json` on each copy:

- nested / plain: the cost of resolving K nested configs (goal: 1.10 at
  most);
- with --baseline (a ward built before nested configs): this ward / that
  ward on the plain copy (goal: no slower, up to noise).

The findings counts are printed too: the nested copy reports the
trailing-whitespace findings of its nested directories as warnings.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

VENDORED = {"vendor", "node_modules", "third_party", "third-party", "bower_components", ".git"}

NESTED = 'exclude = ["**/*.never-matches"]\n\n[rules]\n"text/trailing-whitespace" = "warning"\n'


def copy(tree, to):
    shutil.copytree(tree, to, symlinks=True, ignore=shutil.ignore_patterns(".git", "ward.toml", ".ward.toml"))
    with open(os.path.join(to, "ward.toml"), "w") as f:
        f.write("")


def busiest_dirs(root, count):
    sizes = []
    for dirpath, dirnames, filenames in os.walk(root):
        # Directories ward walks by default (not vendored code).
        dirnames[:] = [d for d in dirnames if d not in VENDORED]
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            sizes.append((len(filenames), rel))
    sizes.sort(key=lambda s: (-s[0], s[1]))
    return [rel for _, rel in sizes[:count]]


def run(ward, tree):
    start = time.perf_counter()
    out = subprocess.run([ward, "check", "--no-cache", "--no-progress", "--format", "json", "."],
                         cwd=tree, capture_output=True, text=True)
    took = time.perf_counter() - start
    if out.returncode not in (0, 1):
        sys.exit(f"{ward} failed in {tree}: {out.stderr}")
    return took, json.loads(out.stdout)


def main():
    args = sys.argv[1:]
    def option(name, default):
        if name in args:
            i = args.index(name)
            value = args[i + 1]
            del args[i:i + 2]
            return value
        return default
    baseline = option("--baseline", None)
    runs = int(option("--runs", "5"))
    count = int(option("--configs", "100"))
    ward, tree = os.path.abspath(args[0]), os.path.abspath(args[1])
    with tempfile.TemporaryDirectory() as tmp:
        plain, nested = os.path.join(tmp, "plain"), os.path.join(tmp, "nested")
        copy(tree, plain)
        copy(tree, nested)
        dirs = busiest_dirs(nested, count)
        for rel in dirs:
            with open(os.path.join(nested, rel, "ward.toml"), "w") as f:
                f.write(NESTED)
        verbose = subprocess.run([ward, "check", "--no-cache", "--no-progress", "--verbose", "--format", "json", "."],
                                 cwd=nested, capture_output=True, text=True).stderr
        read = sum(1 for line in verbose.splitlines() if line.startswith("ward: nested config "))
        if read != len(dirs):
            sys.exit(f"ward read {read} of the {len(dirs)} nested configs")
        times = {"plain": [], "nested": [], "baseline": []}
        reports = {}
        for _ in range(runs):
            for name, binary, where in [("plain", ward, plain), ("nested", ward, nested),
                                        ("baseline", baseline, plain)]:
                if binary is None:
                    continue
                took, report = run(binary, where)
                times[name].append(took)
                reports[name] = report
        median = {k: statistics.median(v) for k, v in times.items() if v}
        files = reports["plain"]["summary"].get("files_scanned")
        print(f"## {os.path.basename(tree)}: {files} files, {len(dirs)} nested configs (all read), median of {runs}")
        for name, value in median.items():
            findings = len(reports[name]["findings"])
            print(f"  {name:10} {value:.3f} s  ({findings} findings)")
        print(f"  nested / plain:   {median['nested'] / median['plain']:.3f}")
        if baseline:
            print(f"  this / baseline:  {median['plain'] / median['baseline']:.3f} (no nested config)")


if __name__ == "__main__":
    main()
