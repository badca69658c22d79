#!/usr/bin/env bash
# Builds the benchmark corpus and the peers, reproducibly, with no network at
# run time afterwards:
# - target/bench-corpus: `cargo vendor` of benches/corpus/Cargo.lock (popular
#   crates nobody on the team wrote; about 470 MB in 20,600 files)
# - target/bench-tools/bin/rg: ripgrep 14.1.1 from crates.io (Debian's is 13)
# - hyperfine and GNU time from Debian's packages, when missing
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f target/bench-corpus/ward.toml ]; then
  rm -rf target/bench-corpus
  mkdir -p target
  cargo vendor --locked --manifest-path benches/corpus/Cargo.toml target/bench-corpus > /dev/null 2> target/bench-vendor.log \
    || { cat target/bench-vendor.log; exit 1; }
  # An empty config makes the corpus its own repository root for ward.
  : > target/bench-corpus/ward.toml
fi
if [ ! -x target/bench-tools/bin/rg ]; then
  cargo install ripgrep --locked --version 14.1.1 --root target/bench-tools
fi
missing=()
command -v hyperfine > /dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
cargo build --release --quiet
echo "corpus: $(find target/bench-corpus -type f | wc -l) files, $(du -sh target/bench-corpus | cut -f1)"
