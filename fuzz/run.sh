#!/usr/bin/env bash
# Runs every fuzz target for a short time (default 10 s each): the config
# loader and its discovery in a tree, the rule-pack loader, the text plugin,
# the secrets scanner, and the result and history cache decoders.
# cargo fuzz needs nightly compiler flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain (the only one here) accept them. A crash fails the run and
# leaves its input in fuzz/artifacts/<target>/: commit it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
tools="$PWD/target/fuzz-tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --root "$tools" --quiet
fi
export PATH="$tools/bin:$PATH" RUSTC_BOOTSTRAP=1
# No sanitizer: the targets drive safe Rust, where a panic is the bug to
# find, and without AddressSanitizer the build takes 5.5 min instead of 7.9
# on the 2-core CI machine and each target runs 4x more inputs per second.
cargo fuzz build -O -s none
mkdir -p target/fuzz-logs
for target in config config_discovery rule_pack text_plugin secrets cache_file history_cache; do
  log="target/fuzz-logs/$target.log"
  if ! cargo fuzz run -O -s none "$target" -- -max_total_time="$seconds" > "$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $target: CRASH (input in fuzz/artifacts/$target/)"
    exit 1
  fi
  echo "fuzz: $target: $(grep -E '^Done' "$log" | tail -1), no crash"
done
