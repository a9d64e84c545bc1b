#!/usr/bin/env bash
# Install what is missing, build with AddressSanitizer and
# UndefinedBehaviorSanitizer, and run every test: unit (cmocka, also under
# valgrind), fuzz corpus replay and a short libFuzzer run per target, API
# (node:test against the real server) and browser (playwright + chromium).
#
#   FUZZ_SECONDS=N   libFuzzer time per target (default 5; 0 skips)
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --test || exit 1

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
fuzz_seconds=${FUZZ_SECONDS:-5}
failed=()
passed_total=0
failed_total=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

step() { printf '\n==> %s\n' "$*"; }

# count_from FILE PASS_REGEX FAIL_REGEX: add the runner's own counts.
count_from() {
  local p f
  p=$(grep -Eo "$2" "$1" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo "$3" "$1" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  passed_total=$((passed_total + p))
  failed_total=$((failed_total + f))
}

setup() { # dir, meson options...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" "$@" >/dev/null || return 1
  fi
  ninja -C "$dir" >/dev/null || ninja -C "$dir"
}

step "build (clang, ASan + UBSan, test routes)"
setup build-test -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
  -Dtest_routes=true || { echo "build failed"; exit 1; }

step "unit tests (cmocka) and fuzz corpus replay"
if meson test -C build-test --suite unit --suite fuzz-replay --print-errorlogs >"$log/unit.txt" 2>&1; then
  tail -n 8 "$log/unit.txt"
else
  cat "$log/unit.txt"; failed+=(unit)
fi
for t in build-test/tests/test_*; do
  [ -x "$t" ] && [ -f "$t" ] && "$t" >>"$log/cmocka.txt" 2>&1
done
count_from "$log/cmocka.txt" '\[  PASSED  \] [0-9]+' '\[  FAILED  \] [0-9]+'

step "unit tests under valgrind"
setup build-valgrind -Dbuildtype=debug -Dc_args=-gdwarf-4 || failed+=(valgrind-build)
if meson test -C build-valgrind --suite unit --print-errorlogs \
  --wrapper "valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$PWD/tests/valgrind.supp" \
  >"$log/vg.txt" 2>&1; then
  tail -n 8 "$log/vg.txt"
else
  cat "$log/vg.txt"; failed+=(valgrind)
fi

if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzzing (libFuzzer, ${fuzz_seconds}s per target)"
  if setup build-fuzz -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true; then
    for f in build-fuzz/tests/fuzz_*; do
      [ -x "$f" ] && [ -f "$f" ] || continue
      name=${f##*/fuzz_}
      work=$(mktemp -d)
      cp tests/fuzz/corpus/"$name"/* "$work"/
      mkdir -p tests/fuzz/artifacts
      if "$f" -max_total_time="$fuzz_seconds" -max_len=8192 -timeout=10 \
          -artifact_prefix="tests/fuzz/artifacts/$name-" "$work" >"$log/fuzz-$name.txt" 2>&1; then
        echo "fuzz $name: $(grep -Eo 'Done [0-9]+ runs' "$log/fuzz-$name.txt") without a crash"
        passed_total=$((passed_total + 1))
      else
        tail -n 40 "$log/fuzz-$name.txt"
        echo "fuzz $name: crashed; the input is in tests/fuzz/artifacts/ (commit it as tests/fuzz/corpus/$name/regress-<name>)"
        failed+=("fuzz-$name"); failed_total=$((failed_total + 1))
      fi
      rm -rf "$work"
    done
  else
    failed+=(fuzz-build)
  fi
fi

export STAGEHAND_BIN=$PWD/build-test/stagehand
for layer in api e2e; do
  [ -d "tests/$layer" ] || continue
  step "$layer tests (node:test)"
  if node --test --test-concurrency=1 "tests/$layer/" >"$log/$layer.txt" 2>&1; then
    tail -n 9 "$log/$layer.txt"
  else
    cat "$log/$layer.txt"; failed+=("$layer")
  fi
  count_from "$log/$layer.txt" '^# pass [0-9]+' '^# fail [0-9]+'
done

step "summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  [ "$failed_total" -gt 0 ] || failed_total=${#failed[@]}
fi
echo "tests: $passed_total passed, $failed_total failed"
[ ${#failed[@]} -eq 0 ]
