#!/usr/bin/env python3
"""ward's macro benchmark: whole-tree runs against the read floor and ripgrep.

Run `bash benches/setup.sh` once (corpus, ripgrep 14, hyperfine), then
`python3 benches/macro.py`. Every command runs in each round, interleaved, so
machine noise hits all of them alike; the table shows medians, throughput,
peak memory and the ratios ward/rg and ward/cat measured in this one run.
"""

import argparse
import json
import os
import platform
import random
import re
import statistics
import string
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench-work"


def run(argv, cwd):
    """Wall seconds and peak RSS (KiB) of one run; output is discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{argv} failed with exit code {code}")
    return wall, usage.ru_maxrss


def corpus_size(corpus):
    files = total = 0
    for dirpath, _, names in os.walk(corpus):
        for name in names:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                files += 1
                total += os.path.getsize(path)
    return files, total


def synthetic_pack(count, seed=7):
    """`count` rules of distinct vendor-like token formats, as a pack."""
    rng = random.Random(seed)
    lines = ['name = "synthetic"']
    for i in range(count):
        prefix = "".join(rng.choice(string.ascii_lowercase) for _ in range(4)) + "_"
        lines += [
            "[[rule]]",
            f'id = "token-{i}"',
            f'message = "synthetic token {i}"',
            f"pattern = '''\\b({prefix}[A-Za-z0-9]{{32}})\\b'''",
            f'keywords = ["{prefix}"]',
            "",
        ]
    return "\n".join(lines)


def odd_trees():
    """Trees that break naive tools, made once under target/bench-work/odd."""
    base = WORK / "odd"
    trees = {
        "one 200 MB file (over max-file-size: streamed in pieces)": base / "big-file",
        "one 200 MB file, held whole (max-file-size 300MiB)": base / "big-file-whole",
        "100,000 tiny files": base / "many-files",
        "a 10 MB single line": base / "long-line",
        "a directory 1,000 levels deep": base / "deep",
    }
    if not (base / "done").exists():
        rng = random.Random(11)
        for tree in trees.values():
            tree.mkdir(parents=True, exist_ok=True)
        line = "".join(rng.choice(string.ascii_letters + " ") for _ in range(1000)) + "\n"
        with open(trees["one 200 MB file (over max-file-size: streamed in pieces)"] / "big.txt", "w") as f:
            for _ in range(200_000):
                f.write(line)
        for i in range(100_000):
            d = trees["100,000 tiny files"] / f"d{i // 1000}"
            d.mkdir(exist_ok=True)
            (d / f"f{i}.txt").write_text(f"file {i}\n")
        (trees["a 10 MB single line"] / "min.js").write_text("a" * (10 * 1024 * 1024) + "\n")
        # One level at a time: pathlib and os.makedirs recurse once per level.
        deep = str(trees["a directory 1,000 levels deep"])
        for _ in range(1000):
            deep = os.path.join(deep, "d")
            if not os.path.isdir(deep):
                os.mkdir(deep)
        with open(os.path.join(deep, "leaf.txt"), "w") as f:
            f.write("leaf\n")
        (base / "done").write_text("")
    streamed = trees["one 200 MB file (over max-file-size: streamed in pieces)"] / "big.txt"
    whole = trees["one 200 MB file, held whole (max-file-size 300MiB)"]
    whole.mkdir(parents=True, exist_ok=True)
    if not (whole / "big.txt").exists():
        os.link(streamed, whole / "big.txt")
    # Written every time, so that trees made by an older script get them too.
    for tree in trees.values():
        (tree / "ward.toml").write_text("")
    (whole / "ward.toml").write_text('max-file-size = "300MiB"\n')
    return trees


def verify_pieces(ward, corpus):
    """Checks the corpus twice: every file whole, then every file over 1 KiB
    in pieces of 4 KiB (a lowered max-file-size and the test knob). The
    line-level rules and the rule packs must find the same, to the byte."""
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)
    tiny = WORK / "tiny-limit.toml"
    tiny.write_text('max-file-size = "1KiB"\n')
    line_local = {"text/trailing-whitespace", "text/final-newline", "text/merge-conflict",
                  "text/invalid-utf8", "text/todo"}

    def findings(extra, env):
        out = subprocess.run([str(ward), "check", "--no-ignore", "--no-cache", "--format", "json",
                              *extra, "."], cwd=corpus, env={**os.environ, **env},
                             capture_output=True, check=False)
        report = json.loads(out.stdout)
        notes = [f for f in report["findings"] if f["rule"] == "ward/file-too-large"]
        # A line longer than 8 pieces (32 KiB here) ends the reading of its
        # file: from that line on, only the whole-file run can find anything.
        stopped = {}
        for note in notes:
            found = re.search(r"(?:line (\d+)|its first line) is longer than", note["message"])
            if found:
                stopped[note["path"]] = int(found.group(1) or 1)
        kept = [(f["rule"], f["path"], f["line"], f["column"], f["end_line"], f["end_column"],
                 f["message"], f["fingerprint"]) for f in report["findings"]
                if f["rule"] in line_local or f["plugin"] in ("secrets", "dangerous-functions")]
        return kept, len(notes), stopped

    whole, _, _ = findings([], {})
    pieces, streamed, stopped = findings(["--config", str(tiny)], {"WARD_PIECE_BYTES": "4096"})
    whole = [f for f in whole if f[1] not in stopped or f[2] < stopped[f[1]]]
    print(f"{streamed} files read in pieces ({len(stopped)} of them stopped at a line over "
          f"32 KiB); {len(whole)} line-level and pack findings whole, {len(pieces)} in pieces")
    if whole != pieces:
        missing = sorted(set(whole) - set(pieces))[:5]
        extra = sorted(set(pieces) - set(whole))[:5]
        print(f"DIFFERENT: only whole {missing}, only in pieces {extra}")
        return 1
    print("identical")
    return 0


def main():
    sys.setrecursionlimit(20000)  # os.walk recurses once per level of the deep tree
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "target" / "bench-corpus")
    parser.add_argument("--only", help="comma-separated names of the commands to run")
    parser.add_argument("--odd", action="store_true", help="time the odd trees instead of the corpus")
    parser.add_argument("--verify-pieces", action="store_true",
                        help="check that files read in pieces give the findings they give whole")
    args = parser.parse_args()

    corpus = args.corpus.resolve()
    ward = ROOT / "target" / "release" / "ward"
    rg = ROOT / "target" / "bench-tools" / "bin" / "rg"
    if args.odd:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
        WORK.mkdir(parents=True, exist_ok=True)
        print("| tree | cat | ward (all rules) | ward/cat | MB/s | peak RSS |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, tree in odd_trees().items():
            cat = ["sh", "-c", "find . -type f -print0 | xargs -0 cat > /dev/null"]
            check = [str(ward), "check", "--no-cache", "."]
            run(cat, tree), run(check, tree)
            cats, wards = [], []
            for _ in range(args.runs):
                cats.append(run(cat, tree)[0])
                wards.append(run(check, tree))
            files, total = corpus_size(tree)
            c = statistics.median(cats)
            w = statistics.median(t for t, _ in wards)
            print(f"| {name} | {c:.3f} s | {w:.3f} s | {w / c:.2f}x | {total / 1e6 / w:.0f} | {max(r for _, r in wards) / 1024:.0f} MiB |")
        return
    if not (corpus / "ward.toml").exists() or not rg.exists():
        sys.exit("run `bash benches/setup.sh` first")
    if args.verify_pieces:
        sys.exit(verify_pieces(ward, corpus))
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    WORK.mkdir(parents=True, exist_ok=True)

    pack = tomllib.loads((ROOT / "rules" / "secrets.toml").read_text())
    patterns = WORK / "secret-patterns.txt"
    # ripgrep's parser refuses a few of gitleaks' patterns (`\"`): those
    # are left out of the peer's set, and said.
    accepted = [r["pattern"] for r in pack["rule"]
                if subprocess.run([str(rg), "--no-unicode", "-e", r["pattern"], "/dev/null"],
                                  capture_output=True).returncode in (0, 1)]
    print(f"rg-secrets: {len(accepted)} of ward's {len(pack['rule'])} secret patterns (ripgrep refuses the syntax of the rest)")
    patterns.write_text("".join(p + "\n" for p in accepted))
    (WORK / "secrets-only.toml").write_text('[rules]\n"*" = "off"\n"secrets/*" = "error"\n')
    for n in (20, 200):
        (WORK / f"pack-{n}.toml").write_text(synthetic_pack(n))
        (WORK / f"rules-{n}.toml").write_text(f'packs = ["pack-{n}.toml"]\n')

    check = [str(ward), "check", "--no-ignore", "--no-cache", "."]
    cached = [str(ward), "check", "--no-ignore", "--cache-dir", str(WORK / "cache"), "."]
    first_cache = WORK / "cache-first"
    commands = {
        # The floor: read every byte once.
        "cat": ["sh", "-c", "find . -type f -print0 | xargs -0 cat > /dev/null"],
        # The peer: ripgrep with ward's shipped secret patterns, ASCII classes as ward
        # (-U because the private-key patterns span lines).
        "rg-secrets": [str(rg), "-uu", "-U", "--no-unicode", "-c", "-f", str(patterns), "."],
        "ward-all": check,
        "ward-secrets": check + ["--config", str(WORK / "secrets-only.toml")],
        "ward-all-j1": check + ["-j", "1"],
        "ward-all-j2": check + ["-j", "2"],
        "ward-20-rules": check + ["--no-default-plugins", "--config", str(WORK / "rules-20.toml")],
        "ward-200-rules": check + ["--no-default-plugins", "--config", str(WORK / "rules-200.toml")],
        # The first run with the cache on: it starts from an empty cache
        # (removed just before; the `rm` is part of its time) and fills it.
        "ward-all-first-run": ["sh", "-c", f'rm -rf "{first_cache}" && exec "$@"', "sh",
                               str(ward), "check", "--no-ignore", "--cache-dir", str(first_cache), "."],
        # A second run over the unchanged tree: the result cache answers.
        "ward-all-cached": cached,
    }
    if args.only:
        wanted = args.only.split(",")
        commands = {k: v for k, v in commands.items() if k in wanted or k == "cat"}

    files, total = corpus_size(corpus)
    for argv in commands.values():  # warm the page cache and the binaries
        run(argv, corpus)
    samples = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, argv in commands.items():
            samples[name].append(run(argv, corpus))

    med = {name: statistics.median(w for w, _ in runs) for name, runs in samples.items()}
    rss = {name: max(r for _, r in runs) for name, runs in samples.items()}
    print(f"corpus: {corpus.relative_to(ROOT) if corpus.is_relative_to(ROOT) else corpus}: "
          f"{files} files, {total / 1e6:.0f} MB; {args.runs} interleaved runs; "
          f"{os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}")
    print()
    print("| command | median wall | MB/s | files/s | peak RSS | vs cat | vs rg |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in commands:
        ratio_rg = f"{med[name] / med['rg-secrets']:.2f}x" if "rg-secrets" in med else "-"
        print(f"| {name} | {med[name]:.3f} s | {total / 1e6 / med[name]:.0f} | "
              f"{files / med[name]:.0f} | {rss[name] / 1024:.0f} MiB | "
              f"{med[name] / med['cat']:.2f}x | {ratio_rg} |")
    print()
    if "ward-all-j1" in med and "ward-all-j2" in med:
        print(f"2 threads vs 1: {med['ward-all-j1'] / med['ward-all-j2']:.2f}x faster")
    if "ward-all-first-run" in med and "ward-all-cached" in med:
        print(f"second run with the cache: {med['ward-all-cached'] / med['ward-all-first-run']:.2f}x the time of the first run (which fills the cache)")
    if "ward-all" in med and "ward-all-cached" in med:
        print(f"second run with the cache: {med['ward-all-cached'] / med['ward-all']:.2f}x the time of a run without the cache")
    if "ward-20-rules" in med and "ward-200-rules" in med:
        print(f"200 rules vs 20 rules: {med['ward-200-rules'] / med['ward-20-rules']:.2f}x the time")


if __name__ == "__main__":
    main()
