#!/usr/bin/env bash
# The whole saga on this machine without Docker: Kafka, one database per service, the four services in the
# background. Both commands are idempotent.
# Usage: scripts/local.sh up [--instances N] [--cluster]     (npm run local:up [-- --instances 2 --cluster])
#          --instances N  N processes per service, sharing its database and consumer groups; the second
#                         instance of a service listens 10 ports above the first (order: 3001, 3011, ...)
#          --cluster      the three-broker profile (KAFKA_PROFILE=cluster in scripts/kafka.sh): every topic with
#                         three replicas, min.insync.replicas=2
#        scripts/local.sh down                 stops everything that `up` started  (npm run local:down)
#        scripts/local.sh down <service>...    stops only those services (every instance); Kafka keeps running
#                                              (npm run local:down -- payment)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/scripts/node-env.sh"
run_dir="$root/.local/run"
log_dir="$root/.local/logs"
mkdir -p "$run_dir" "$log_dir"

export POSTGRES_URL=${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
export KAFKA_BROKERS=${KAFKA_BROKERS:-127.0.0.1:9092}
# On this machine only: the demo issuer hands an admin's token to whoever asks (HOST=0.0.0.0 opens it to your LAN).
export HOST=${HOST:-127.0.0.1}
# Logs read in a terminal here (tail -f .local/logs/*.log); LOG_FORMAT=json gives what compose gives.
export LOG_FORMAT=${LOG_FORMAT:-pretty}
services=(order:3001 payment:3002 inventory:3003 shipping:3004)

# saga_order, ...; SAGA_DATABASE_PREFIX names another set (the benchmark runs on its own, bench_*).
export SAGA_DATABASE_PREFIX=${SAGA_DATABASE_PREFIX:-saga_}
# Each service connects as the role that owns its database (scripts/create-databases.mjs), never as POSTGRES_URL's
# superuser: postgres://saga_order[:$ORDER_DATABASE_PASSWORD]@host:port/saga_order (use URL-safe characters in
# passwords: letters, digits, - . _ ~).
database_url() {
  local name=$SAGA_DATABASE_PREFIX$1 server=${POSTGRES_URL#*://}
  local password_variable
  password_variable=$(echo "$1" | tr '[:lower:]' '[:upper:]')_DATABASE_PASSWORD
  server=${server#*@}
  local password=${!password_variable:-}
  echo "postgres://$name${password:+:$password}@${server%%/*}/$name"
}
alive() { [ -f "$run_dir/$1.pid" ] && kill -0 "$(cat "$run_dir/$1.pid")" 2>/dev/null; }
healthy() { curl -fs -o /dev/null --max-time 3 "http://127.0.0.1:$1/health/ready"; }
# The broker profile that `up` started (scripts/kafka.sh), for `down` to stop the same.
profile() { cat "$run_dir/kafka-profile" 2>/dev/null || echo "${KAFKA_PROFILE:-single}"; }

up() {
  local instances=1 profile=single
  while [ $# -gt 0 ]; do
    case "$1" in
      --instances) instances=${2:-}; shift 2 ;;
      --cluster) profile=cluster; shift ;;
      *) echo "unknown option $1 (usage: $0 up [--instances N] [--cluster])" >&2; exit 2 ;;
    esac
  done
  [[ $instances =~ ^[1-9]$ ]] || { echo "--instances takes a number from 1 to 9" >&2; exit 2; }
  export KAFKA_PROFILE=$profile
  echo "$profile" >"$run_dir/kafka-profile"
  if [ "$profile" = cluster ]; then
    KAFKA_BROKERS=$(bash "$root/scripts/kafka.sh" brokers)
    export KAFKA_REPLICATION_FACTOR=3 KAFKA_MIN_INSYNC_REPLICAS=2
  fi
  bash "$root/scripts/infra.sh" up
  node "$root/scripts/create-databases.mjs"
  (cd "$root" && npx nx run-many -t build --output-style=static >/dev/null)

  local started=() entry i
  for entry in "${services[@]}"; do
    local service=${entry%%:*} base=${entry##*:}
    for ((i = 1; i <= instances; i++)); do
      # The first instance keeps the service's name (its port, log and pid file); the others are <name>.2, ...
      local name=$service port=$((base + 10 * (i - 1)))
      [ "$i" -eq 1 ] || name=$service.$i
      started+=("$name:$port")
      if alive "$name"; then echo "$name: already running (pid $(cat "$run_dir/$name.pid"))"; continue; fi
      DATABASE_URL=$(database_url "$service") PORT=$port \
        nohup node "$root/apps/$service/dist/main.js" >>"$log_dir/$name.log" 2>&1 &
      echo $! >"$run_dir/$name.pid"
      echo "$name: starting on port $port (pid $!)"
      # The first instance migrates the service's database alone; the others start once it is healthy.
      if [ "$i" -eq 1 ] && [ "$instances" -gt 1 ]; then wait_healthy "$name" "$port"; fi
    done
  done
  for entry in "${started[@]}"; do wait_healthy "${entry%%:*}" "${entry##*:}"; done
  echo "The saga is up: http://localhost:3001/saga/ (load the demo data first: npm run seed)."
}

wait_healthy() {
  local name=$1 port=$2 waited=0
  until healthy "$port"; do
    if ! alive "$name" || [ $waited -ge 90 ]; then
      echo "$name: not healthy; last lines of $log_dir/$name.log:" >&2
      tail -n 30 "$log_dir/$name.log" >&2
      exit 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  echo "$name: healthy at http://127.0.0.1:$port (log: .local/logs/$name.log)"
}

down() {
  local names=("$@") service pid_file
  if [ ${#names[@]} -eq 0 ]; then names=("${services[@]%%:*}"); fi
  for service in "${names[@]}"; do
    if [[ " ${services[*]%%:*} " != *" $service "* ]]; then echo "no service named $service" >&2; exit 2; fi
  done
  for service in "${names[@]}"; do
    for pid_file in "$run_dir/$service.pid" "$run_dir/$service".[0-9].pid; do
      [ -e "$pid_file" ] && stop_instance "$(basename "$pid_file" .pid)"
    done
  done
  if [ $# -eq 0 ]; then
    KAFKA_PROFILE=$(profile) bash "$root/scripts/infra.sh" down
    rm -f "$run_dir/kafka-profile"
  fi
}

stop_instance() {
  local name=$1 pid
  if alive "$name"; then
    pid=$(cat "$run_dir/$name.pid")
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "$name: stopped"
  fi
  rm -f "$run_dir/$name.pid"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) shift; down "$@" ;;
  *) echo "usage: $0 up [--instances N] [--cluster] | down [service...]" >&2; exit 2 ;;
esac
