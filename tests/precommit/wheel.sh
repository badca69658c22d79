#!/usr/bin/env bash
# ward as users who have no Rust toolchain get it: the `ward-check` wheel
# (maturin, `bindings = "bin"`) installed by pip into a new virtual
# environment, then the pre-commit mirror's hooks (tests/precommit/mirror)
# under the real pre-commit, which installs the wheel itself. Everything
# after building the wheel runs with pip's index switched off: only the
# wheel in the local directory can be installed. Prints both install times;
# fails if either takes 30 s or more, or if the hook lets a bad commit in.
set -euo pipefail
ward_repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ward_repo"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
wheels="$work/wheels"

# Building needs maturin (from PyPI: the one step that may use the network).
if ! python3 -m maturin --version > /dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check maturin
fi
if ! python3 -m pre_commit --version > /dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check pre-commit
fi
# The dev profile: the test is about installing, and it reuses the build the
# test suite made. A release wheel is `maturin build --release`.
python3 -m maturin build --quiet --out "$wheels" > "$work/maturin.log" 2>&1 || { cat "$work/maturin.log"; exit 1; }
wheel=$(ls "$wheels"/ward_check-"$version"-*.whl)
echo "wheel: $(basename "$wheel") ($(( $(stat -c %s "$wheel") / 1024 / 1024 )) MiB)"
# pip builds the mirror's empty package with setuptools: virtualenv's own
# bundled copy, so nothing comes from the network.
setuptools=$(python3 -c 'import glob, os, virtualenv; d = os.path.join(os.path.dirname(virtualenv.__file__), "seed/wheels/embed"); print(sorted(glob.glob(d + "/setuptools-*.whl"))[-1])')
cp "$setuptools" "$wheels/"

export PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels" PIP_DISABLE_PIP_VERSION_CHECK=1
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=ward GIT_AUTHOR_EMAIL=ward@ward.invalid
export GIT_COMMITTER_NAME=ward GIT_COMMITTER_EMAIL=ward@ward.invalid

seconds() { python3 -c 'import sys; print(f"{float(sys.argv[2]) - float(sys.argv[1]):.1f}")' "$1" "$2"; }
under_30() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) < 30 else 1)' "$1"; }

echo "wheel: pip installs ward into a new virtual environment, offline"
python3 -m venv "$work/venv"
start=$(date +%s.%N)
"$work/venv/bin/pip" install --quiet "ward-check==$version"
took=$(seconds "$start" "$(date +%s.%N)")
echo "wheel: installed in $took s"
under_30 "$took" || { echo "FAIL: installing the wheel took $took s"; exit 1; }
"$work/venv/bin/ward" --version | grep -q "^ward $version " || { echo "FAIL: the installed ward is not $version"; exit 1; }

echo "wheel: the GitHub Action's install step (pip) installs it too"
python3 - "$ward_repo/action.yml" > "$work/install-step.sh" <<'PY'
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
print(next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "install"))
PY
python3 -m venv "$work/action-venv"
PATH="$work/action-venv/bin:$PATH" WARD_INSTALL=pip WARD_SOURCE="$ward_repo" bash "$work/install-step.sh"
"$work/action-venv/bin/ward" --version | grep -q "^ward $version " || { echo "FAIL: the action did not install ward $version"; exit 1; }

echo "wheel: the mirror's hook blocks a bad commit"
mirror="$work/mirror"
cp -r tests/precommit/mirror "$mirror"
git -C "$mirror" init -q -b main
git -C "$mirror" add -A
git -C "$mirror" commit -qm "ward-pre-commit $version"
git -C "$mirror" tag "v$version"

export PRE_COMMIT_HOME="$work/pre-commit-home"
scratch="$work/scratch"
mkdir "$scratch"
cd "$scratch"
git init -q -b main
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $mirror
    rev: v$version
    hooks:
      - id: ward
YAML
printf '# Scratch\n' > README.md
cp "$ward_repo/tests/fixtures/text/LICENSE" LICENSE
printf 'clean\n' > clean.txt
git add -A
python3 -m pre_commit install > /dev/null
start=$(date +%s.%N)
python3 -m pre_commit install-hooks > "$work/install.log" 2>&1 || { cat "$work/install.log"; echo "FAIL: pre-commit could not install the hook"; exit 1; }
took=$(seconds "$start" "$(date +%s.%N)")
echo "wheel: pre-commit installed the hook in $took s"
under_30 "$took" || { echo "FAIL: installing the hook took $took s"; exit 1; }
git commit -qm "clean" > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; echo "FAIL: a clean commit was blocked"; exit 1; }

printf 'trailing  \n' > bad.txt
git add bad.txt
if git commit -qm "bad" > "$work/out.txt" 2>&1; then
  cat "$work/out.txt"; echo "FAIL: the hook let a bad commit in"; exit 1
fi
grep -q "bad.txt:1:9" "$work/out.txt" || { cat "$work/out.txt"; echo "FAIL: ward's finding bad.txt:1:9 is missing"; exit 1; }
[ "$(git rev-list --count HEAD)" = 1 ] || { echo "FAIL: the bad commit was made"; exit 1; }
echo "wheel: 4 passed, 0 failed"
