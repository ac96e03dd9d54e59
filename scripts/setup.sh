#!/usr/bin/env bash
# One-time set-up of a fresh clone: Node 24 (fetched from the npm registry when the machine's node is older),
# the npm dependencies, and the Apache Kafka jars (from Maven Central, cached in ~/.m2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/node-env.sh"
cd "$root"
echo "setup: node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund
bash scripts/kafka.sh install
echo "setup: done. In a new shell, put Node 24 on PATH first: source scripts/node-env.sh (or nvm use)."
