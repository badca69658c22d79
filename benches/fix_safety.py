#!/usr/bin/env python3
"""`ward check --fix` on a real repository, checked with git afterwards.

Usage: python3 benches/fix_safety.py WARD_BINARY REPOSITORY [REPOSITORY...]

Each repository (a git checkout) is cloned to a temporary directory, fixed
there with the defaults, and every file git sees changed is checked:

- it was UTF-8 text before (no NUL, decodes), and is no vendored or test
  fixture path (`vendor/`, `node_modules/`, `testdata/`, `fixtures/`...);
- old and new differ only in spaces, tabs, line endings, final newlines and
  a byte-order mark.

Prints one line per repository and exits 1 if any file broke a rule.
"""

import os
import subprocess
import sys
import tempfile

VENDORED = {"vendor", "node_modules", "third_party", "third-party", "bower_components",
            "jspm_packages", ".yarn", "Pods", "Carthage"}
FIXTURES = {"testdata", "fixtures", "__fixtures__", "__snapshots__"}


def substance(data: bytes) -> bytes:
    while data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return bytes(b for b in data if b not in b" \t\r\n")


def check(ward: str, repository: str) -> list:
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        work = os.path.join(tmp, "repo")
        subprocess.run(["git", "clone", "-q", repository, work], check=True)
        run = subprocess.run([ward, "check", "--fix", "--no-cache", "--no-progress", "."],
                             cwd=work, capture_output=True, text=True)
        changed = subprocess.run(["git", "diff", "--name-only", "-z"], cwd=work,
                                 capture_output=True, check=True).stdout.split(b"\0")
        changed = [c.decode() for c in changed if c]
        for path in changed:
            old = subprocess.run(["git", "show", f"HEAD:{path}"], cwd=work,
                                 capture_output=True, check=True).stdout
            new = open(os.path.join(work, path), "rb").read()
            parts = set(path.split("/")[:-1])
            if parts & VENDORED or parts & FIXTURES:
                problems.append(f"{path}: a vendored or fixture file was changed")
            if b"\0" in old[:8192]:
                problems.append(f"{path}: a binary file was changed")
            try:
                old.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(f"{path}: a file that is not UTF-8 was changed")
            if substance(old) != substance(new):
                problems.append(f"{path}: more than whitespace, line endings or a BOM changed")
        skipped = run.stderr.count("fix-skipped") + run.stdout.count("fix-skipped")
        print(f"{repository}: {len(changed)} files fixed, {len(problems)} problems, "
              f"exit {run.returncode}, {skipped} fix-skipped mentions")
    return problems


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    ward = os.path.abspath(sys.argv[1])
    failed = False
    for repository in sys.argv[2:]:
        for problem in check(ward, repository):
            print("  " + problem)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
