#!/usr/bin/env bash
# Rehearses what .github/workflows/release.yml does on one Linux x86-64
# machine: the release wheel (maturin, manylinux) and a static musl binary,
# packaged as the workflow packages them (ward-<target>/ward in a .tar.gz,
# the layout [package.metadata.binstall] expects), with SHA256SUMS. Each is
# run: the wheel installed into a new virtual environment offline, the
# binary checked to be static and to check a repository. Not part of
# .ci/run (two release builds take minutes); run it before tagging.
#
# Usage: bash tests/release/build.sh [OUT_DIR]   (default: target/release-rehearsal)
set -euo pipefail
ward_repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ward_repo"
out=${1:-target/release-rehearsal}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
musl=x86_64-unknown-linux-musl

if ! python3 -m maturin --version > /dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check maturin
fi
echo "release: the wheel (maturin build --release)"
python3 -m maturin build --release --locked --quiet --out "$out" > "$out/maturin.log" 2>&1 || { cat "$out/maturin.log"; exit 1; }
rm "$out/maturin.log"

echo "release: a static binary for $musl"
if ! rustup target list --installed | grep -qx "$musl"; then
  rustup target add "$musl"
fi
# C code in the dependency tree (zstd) is compiled for musl by musl-gcc.
command -v musl-gcc > /dev/null || { echo "FAIL: musl-gcc not found: apt-get install musl-tools"; exit 1; }
export CC_x86_64_unknown_linux_musl=musl-gcc
cargo build --quiet --release --locked --target "$musl" --bin ward
name="ward-$musl"
mkdir "$out/$name"
cp README.md LICENSE "target/$musl/release/ward" "$out/$name/"
tar czf "$out/$name.tar.gz" -C "$out" "$name"
rm -r "${out:?}/$name"

cd "$out"
sha256sum -- *.whl *.tar.gz > SHA256SUMS
cat SHA256SUMS

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "release: the binary is static and checks a repository"
tar xzf "$name.tar.gz" -C "$work"
binary="$work/$name/ward"
if ! ldd "$binary" 2>&1 | grep -qE "statically linked|not a dynamic executable"; then
  ldd "$binary"; echo "FAIL: the musl binary is dynamically linked"; exit 1
fi
"$binary" --version | grep -q "^ward $version " || { echo "FAIL: the binary is not ward $version"; exit 1; }
mkdir "$work/repo"
printf 'trailing  \n' > "$work/repo/a.txt"
if (cd "$work/repo" && "$binary" check --no-cache . > "$work/check.txt" 2>&1); then
  cat "$work/check.txt"; echo "FAIL: the binary found nothing in a bad file"; exit 1
fi
grep -q "text/trailing-whitespace" "$work/check.txt" || { cat "$work/check.txt"; echo "FAIL: no trailing-whitespace finding"; exit 1; }

echo "release: the wheel installs offline and runs"
python3 -m venv "$work/venv"
PIP_NO_INDEX=1 PIP_FIND_LINKS="$out" "$work/venv/bin/pip" install --quiet --disable-pip-version-check "ward-check==$version"
"$work/venv/bin/ward" --version | grep -q "^ward $version " || { echo "FAIL: the wheel's ward is not $version"; exit 1; }
ls -l "$out"
echo "release: 3 passed, 0 failed"
