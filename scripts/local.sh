#!/usr/bin/env bash
# The whole saga on this machine without Docker: Kafka, one database per service, the four services in the
# background. Both commands are idempotent.
# Usage: scripts/local.sh up|down      (npm run local:up / npm run local:down)
#        scripts/local.sh down <service>...   stops only those services; Kafka keeps running
#                                             (npm run local:down -- payment)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/node-env.sh"
run_dir="$root/.local/run"
log_dir="$root/.local/logs"
mkdir -p "$run_dir" "$log_dir"

export POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
services=(order:3001 payment:3002 inventory:3003 shipping:3004)

database_url() { local url=${POSTGRES_URL%/*}; echo "$url/saga_$1"; }
alive() { [ -f "$run_dir/$1.pid" ] && kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null; }
healthy() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health"; }

up() {
  bash "$root/scripts/infra.sh" up
  node "$root/scripts/create-databases.mjs"
  (cd "$root" && npx nx run-many -t build --output-style=static >/dev/null)
  for entry in "${services[@]}"; do
    local name=${entry%%:*} port=${entry##*:}
    if alive "$name"; then echo "$name: already running (pid $(cat "$run_dir/$name.pid"))"; continue; fi
    DATABASE_URL=$(database_url "$name") PORT=$port \
      nohup node "$root/apps/$name/dist/main.js" >>"$log_dir/$name.log" 2>&1 &
    echo $! >"$run_dir/$name.pid"
    echo "$name: starting on port $port (pid $!)"
  done
  for entry in "${services[@]}"; do
    local name=${entry%%:*} port=${entry##*:} waited=0
    until healthy "$port"; do
      if ! alive "$name" || [ $waited -ge 90 ]; then
        echo "$name: not healthy; last lines of $log_dir/$name.log:" >&2
        tail -n 30 "$log_dir/$name.log" >&2
        exit 1
      fi
      sleep 1; waited=$((waited + 1))
    done
    echo "$name: healthy at http://127.0.0.1:$port (log: .local/logs/$name.log)"
  done
  echo "The saga is up: http://localhost:3001/saga/ (load the demo data first: npm run seed)."
}

down() {
  local names=("$@")
  if [ ${#names[@]} -eq 0 ]; then names=("${services[@]%%:*}"); fi
  for name in "${names[@]}"; do
    if [[ " ${services[*]%%:*} " != *" $name "* ]]; then echo "no service named $name" >&2; exit 2; fi
    if alive "$name"; then
      local pid; pid=$(cat "$run_dir/$name.pid")
      kill "$pid"
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -9 "$pid" 2>/dev/null || true
      echo "$name: stopped"
    fi
    rm -f "$run_dir/$name.pid"
  done
  if [ $# -eq 0 ]; then bash "$root/scripts/infra.sh" down; fi
}

case "${1:-}" in
  up) up ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up | down [service...]" >&2; exit 2 ;;
esac
