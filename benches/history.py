#!/usr/bin/env python3
"""`ward history` on real histories, as ratios measured in one run.

Usage: python3 benches/history.py WARD_BINARY MIRRORS_DIR [--runs N]

MIRRORS_DIR holds a git repository (bare or not) of each project below,
named `owner+name` as `fetch` names them (`MIRRORS_DIR/owner+name/repo` or
`MIRRORS_DIR/owner+name`). A repository whose HEAD is not the pinned commit
is reported and skipped. Nothing of them is copied into ward.

For each repository, interleaved, median of N runs (default 3):

- floor: `git rev-list --objects --all --missing=allow-any` piped into
  `git cat-file --batch`: reading every object the history holds, which
  any scanner of whole blobs must at least do (one thread each, as git
  does it);
- `git log -p --all` alone, and piped into ripgrep with secret patterns:
  what a patch-based scanner (gitleaks) must at least do. On a partial
  clone git stops at the first missing blob, so the paths of the missing
  blobs are left out of its pathspec (ward reads every other version of
  every file, and warns of the missing ones);
- `ward history --no-cache --include-vendored` (every blob, as the floor);
- `ward history --no-cache` (its defaults: vendored paths left out);
- `ward history` a second time with a warm cache (first/second).

Peak memory of the `--include-vendored` run: its anonymous memory (heap)
and its whole resident set, which also counts the pages of the pack files
git and ward both map (page cache, shared and reclaimable); the same of the
floor's `git cat-file --batch`, for comparison.
"""

import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

REPOS = [
    # (name, HEAD commit, shape, paths of the blobs the snapshot lacks)
    ("expressjs+express", "a3714473feb3d2908add734d340e7755fd85e0a3",
     "JavaScript, 11,467 commits", []),
    ("containerd+containerd", "301026e58c619e63d09c0ec411012e54c0124b03",
     "Go with vendor/, 28,147 commits, a partial clone missing 8 blobs",
     # As `ward history` warns of them: binaries and CI logs.
     ["ctr/ctr", "oci/oci.test.exe", "ctr.exe", "containerd.test.exe",
      "vendor/src/github.com/opencontainers/runc/runc", "vagrant_integration.log",
      "Vagrant_integration_fedora_41-cloud-base_systemd_crun.log",
      "8_Vagrant integration (fedora_41-cloud-base, systemd, runc).log"]),
]

# What a patch scanner looks for (a few of gitleaks' formats).
PATTERNS = [
    r"ghp_[0-9A-Za-z]{36}",
    r"(?:A3T[A-Z0-9]|AKIA|ASIA)[A-Z0-9]{16}",
    r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY",
    r"xox[baprs]-[0-9a-zA-Z-]{10,48}",
    "(?i)(?:api_?key|secret|token|password)\\s*[:=]\\s*['\"][0-9a-zA-Z/+]{16,}['\"]",
]


def git_dir(mirrors, name):
    for candidate in (os.path.join(mirrors, name, "repo"), os.path.join(mirrors, name)):
        if os.path.isdir(candidate):
            return candidate
    return None


def timed(command, cwd, shell=False):
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, shell=shell, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    return time.perf_counter() - started, done.returncode


def peak_memory(command, cwd, stdin=None):
    """(anonymous KB, resident KB) at their peaks, polling /proc."""
    process = subprocess.Popen(command, cwd=cwd, stdin=stdin, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    anon = rss = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/smaps_rollup") as f:
                for line in f:
                    key, _, value = line.partition(":")
                    if key == "Anonymous":
                        anon = max(anon, int(value.split()[0]))
                    elif key == "Rss":
                        rss = max(rss, int(value.split()[0]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.02)
    return anon, rss


def main():
    ward, mirrors = os.path.abspath(sys.argv[1]), sys.argv[2]
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as patterns:
        patterns.write("\n".join(PATTERNS) + "\n")
    for name, commit, shape, missing in REPOS:
        repo = git_dir(mirrors, name)
        if repo is None:
            print(f"{name}: not found under {mirrors}; skipped")
            continue
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                              text=True).stdout.strip()
        if head != commit:
            print(f"{name}: HEAD is {head}, not the pinned {commit}; skipped")
            continue
        cache = tempfile.mkdtemp()
        pathspec = " ".join(shlex.quote(f":!{path}") for path in missing)
        log = f"git log -p --all -- . {pathspec}" if missing else "git log -p --all"
        commands = {
            "floor": ("git rev-list --objects --all --missing=allow-any | cut -d' ' -f1"
                      " | git cat-file --batch > /dev/null", True),
            "git log -p": (f"{log} > /dev/null", True),
            "git log -p | rg": (f"{log} | rg -f {patterns.name} > /dev/null", True),
            "ward, every blob": ([ward, "history", "-C", ".", "--no-cache", "--include-vendored",
                                  "--format", "json"], False),
            "ward": ([ward, "history", "-C", ".", "--no-cache", "--format", "json"], False),
        }
        times = {key: [] for key in commands}
        codes = {}
        for _ in range(runs):
            for key, (command, shell) in commands.items():
                spent, code = timed(command, repo, shell)
                times[key].append(spent)
                codes[key] = code
        cached = [ward, "history", "-C", ".", "--cache-dir", cache, "--format", "json"]
        first, _ = timed(cached, repo)
        second = statistics.median(timed(cached, repo)[0] for _ in range(runs))
        anon, rss = peak_memory(commands["ward, every blob"][0], repo)
        # The floor's reader alone, for comparison: it maps the same packs.
        with tempfile.TemporaryFile() as listing:
            subprocess.run("git rev-list --objects --all --missing=allow-any | cut -d' ' -f1",
                           shell=True, cwd=repo, stdout=listing, check=False)
            listing.seek(0)
            git_anon, git_rss = peak_memory(["git", "cat-file", "--batch"], repo, stdin=listing)
        median = {key: statistics.median(values) for key, values in times.items()}
        print(f"## {name} ({shape}), median of {runs}")
        for key, value in median.items():
            failed = " (fails after: a missing object)" if codes[key] not in (0, 1) else ""
            print(f"  {key:18} {value:7.2f} s{failed}")
        floor = median["floor"]
        print(f"  ward, every blob / floor:      {median['ward, every blob'] / floor:.2f}")
        print(f"  ward / floor:                  {median['ward'] / floor:.2f}")
        print(f"  ward, every blob / git log -p: {median['ward, every blob'] / median['git log -p']:.2f}")
        print(f"  second run with cache / first: {second / first:.2f} ({second:.2f} s / {first:.2f} s)")
        print(f"  peak memory, every blob: {anon / 1024:.0f} MB heap, {rss / 1024:.0f} MB resident"
              f" (git cat-file --batch of the floor: {git_anon / 1024:.0f} MB heap,"
              f" {git_rss / 1024:.0f} MB resident)")
    os.unlink(patterns.name)


if __name__ == "__main__":
    main()
