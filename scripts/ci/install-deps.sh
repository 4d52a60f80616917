#!/usr/bin/env bash
# Debian packages the test suite uses, installed only where absent (CI runs as root on a fresh machine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v ps >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq procps
  else
    echo "install-deps: ps is missing and we are not root; the ps collector tests will say so" >&2
  fi
fi
# Prometheus, its Pushgateway and node_exporter for the export tests (test/export/prometheus.test.ts)
missing_prom=()
for pair in prometheus:prometheus prometheus-pushgateway:prometheus-pushgateway prometheus-node-exporter:prometheus-node-exporter; do
  command -v "${pair%%:*}" >/dev/null || missing_prom+=("${pair##*:}")
done
if [ "${#missing_prom[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing_prom[@]}"
  else
    echo "install-deps: ${missing_prom[*]} missing and we are not root; the Prometheus export test will say so" >&2
  fi
fi
# the real single-node SLURM of the integration test (skipped with its reason where it cannot run)
"$here/../slurm/install-deps.sh"
