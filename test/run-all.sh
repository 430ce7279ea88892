#!/usr/bin/env bash
# Every test: unit, integration against real nats-servers, reliability, the package check, and the
# real-editor suites (which run the packaged .vsix).
# Each part runs even when an earlier one failed, so that one run reports every failure; the script
# exits non-zero when any part failed. Failing editor scenarios leave a screenshot and the editor's
# logs in test-results/<test name>/.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Without the install and the build nothing below can run.
bash .ci/setup.sh || exit 1
shopt -s nullglob

failed=()
part() {
  local name=$1
  shift
  echo "==> $name"
  local started=$SECONDS
  if "$@"; then
    echo "==> $name: passed in $((SECONDS - started)) s"
  else
    echo "==> $name: FAILED (exit $?) after $((SECONDS - started)) s"
    failed+=("$name")
  fi
}

part "unit and integration tests" \
npx tsx --test test/unit/*.test.ts test/integration/*.test.ts

reliability=(test/reliability/*.test.ts)
if ((${#reliability[@]})); then
  part "reliability tests" npx tsx --test --test-concurrency=1 --test-force-exit "${reliability[@]}"
fi

part "in-editor suite build" npm run build:editor-tests

# Builds the .vsix (npm run package) once, for the check and for the real-editor tests, which install it.
part "package check" npx tsx test/package/main.ts

# One editor at a time (--test-concurrency=1). --test-force-exit: a handle left open by a failed
# teardown must not keep the run waiting. Scratch files (*.tmp.test.ts) are not part of the suite.
e2e=()
for file in test/e2e/*.test.ts; do
  [[ $file == *.tmp.test.ts ]] || e2e+=("$file")
done
if ((${#e2e[@]})); then
  part "real-editor tests (code-server + Chromium)" npx tsx --test --test-concurrency=1 --test-force-exit "${e2e[@]}"
fi

if ((${#failed[@]})); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "All tests passed."
