#!/usr/bin/env bash
# Runs the fault-injection campaign against the packaged jar and renders docs/reliability.md.
#
#   scripts/reliability-report.sh          # the full campaign (-Dcolibri.trials=full, ~15-25 minutes)
#   scripts/reliability-report.sh small    # the CI trial counts (~3 minutes)
#   COLIBRI_SEED=123 scripts/reliability-report.sh   # replay the random choices of an earlier run
#
# Each IT in src/test/java/dev/colibri/reliability writes target/reliability/<fault>.json, also when
# a fault does not hold; the page is rendered from whatever was recorded, and the script exits
# non-zero when any fault failed. The tmpfs disk-full fault needs root (mount); elsewhere it is
# skipped and the page says so.
set -uo pipefail
cd "$(dirname "$0")/.."
trials="${1:-full}"
seed_arg=()
if [ -n "${COLIBRI_SEED:-}" ]; then seed_arg=("-Dcolibri.seed=${COLIBRI_SEED}"); fi
rm -rf target/reliability
mvn -B -ntp verify -Dcolibri.trials="$trials" "${seed_arg[@]}" \
  -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='dev.colibri.reliability.*IT'
status=$?
java -cp target/test-classes:target/colibri.jar dev.colibri.reliability.ReliabilityReport \
  target/reliability docs/reliability.md || status=1
exit $status
