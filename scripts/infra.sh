#!/usr/bin/env bash
# The infrastructure without Docker: a real Kafka broker (scripts/kafka.sh) and a Postgres server you already run.
# Usage: scripts/infra.sh up|down
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/node-env.sh"
export POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}

case "${1:-}" in
  up)
    bash "$root/scripts/kafka.sh" start
    node "$root/scripts/create-databases.mjs" --check
    ;;
  down)
    bash "$root/scripts/kafka.sh" stop
    ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
