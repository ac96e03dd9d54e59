#!/usr/bin/env bash
# A quick start run exactly as the README tells a newcomer to run it, then the README's order followed to
# COMPLETED (scripts/readme-order.mjs), then everything stopped again. CI runs both modes (.ci/run), and the GitHub
# workflow's compose job runs the compose one, so neither can drift from the README.
# Both start from nothing, as on a new machine, and delete what they made: compose ends with `down -v`, and the
# local mode first empties its broker and drops its saga_* databases.
# Usage: scripts/smoke.sh compose          docker compose up --build --wait; the images checked; the order; down -v
#        scripts/smoke.sh compose-cluster  the same with three brokers and two instances of every service
#                                          (compose.cluster.yaml, compose.replicas.yaml); the order again with a
#                                          broker stopped and an instance killed
#        scripts/smoke.sh observability    compose with its observability profile: the order's trace in the viewer,
#                                          the dashboard in Grafana and its queries on Prometheus; down -v
#        scripts/smoke.sh local            reset; npm run local:up; npm run seed; the order; the dashboard's queries
#                                          on Prometheus (scripts/check-dashboard.mjs); npm run local:down
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
apps=(order payment inventory shipping)
say() { echo "smoke($mode): $*"; }

compose() {
  # Whatever happens, leave nothing behind; on a failure, show what every container said first.
  trap 'status=$?; if [ $status -ne 0 ]; then docker compose ps --all; docker compose logs --no-color --timestamps --tail=300; fi; docker compose down -v --remove-orphans; exit $status' EXIT
  docker compose up --build --wait
  check_images
  node scripts/readme-order.mjs
  node scripts/kafka-refuses.mjs
}

# Compose with its observability profile: the order's trace in Jaeger, the dashboard in Grafana, and every query
# of the dashboard on the profile's Prometheus. (Its images come from Docker Hub.)
observability() {
  trap 'status=$?; if [ $status -ne 0 ]; then docker compose --profile observability logs --no-color --tail=100; fi; docker compose --profile observability down -v --remove-orphans; exit $status' EXIT
  docker compose --profile observability up --build --wait
  node scripts/readme-order.mjs
  node scripts/check-observability.mjs
  PROMETHEUS_URL=http://127.0.0.1:9090 node scripts/check-dashboard.mjs
}

# Global, not local: the EXIT trap runs after the function has returned.
cluster_files=(-f compose.yaml -f compose.cluster.yaml -f compose.replicas.yaml)
compose_cluster() {
  trap 'status=$?; if [ $status -ne 0 ]; then docker compose "${cluster_files[@]}" ps --all; docker compose "${cluster_files[@]}" logs --no-color --timestamps --tail=200; fi; docker compose "${cluster_files[@]}" down -v --remove-orphans; exit $status' EXIT
  docker compose "${cluster_files[@]}" down -v --remove-orphans # from nothing, whatever an earlier run left
  docker compose "${cluster_files[@]}" up --build --wait
  KAFKA_USERNAME=admin KAFKA_PASSWORD=admin-demo node scripts/kafka-replicas.mjs orders 3
  node scripts/kafka-refuses.mjs
  # Two instances cannot share a host port, so the order is placed and followed from inside the network.
  local inside=(-e ORDER_URL=http://order:3001 -e PAYMENT_URL=http://payment:3002
    -e INVENTORY_URL=http://inventory:3003 -e SHIPPING_URL=http://shipping:3004)
  docker compose "${cluster_files[@]}" exec -T "${inside[@]}" order node --input-type=module - <scripts/readme-order.mjs
  say "a broker stopped and one instance of payment killed; the next order must complete all the same"
  docker compose "${cluster_files[@]}" stop kafka-2
  docker kill "$(docker compose "${cluster_files[@]}" ps -q payment | head -n 1)" >/dev/null
  docker compose "${cluster_files[@]}" exec -T "${inside[@]}" order node --input-type=module - <scripts/readme-order.mjs
}

# The runtime images hold what runs and nothing else: no root user, no devDependencies, no TypeScript sources.
check_images() {
  local name container image user devs sources size failed=0 base
  base=$(docker image inspect --format '{{.Size}}' "$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)")
  for name in "${apps[@]}"; do
    container=$(docker compose ps -q "$name")
    image=$(docker inspect --format '{{.Image}}' "$container")
    user=$(docker compose exec -T "$name" id -un)
    # Every package installed in the image that the lock file marks as needed by development only. (Not "every
    # devDependency of package.json": a production package may need one of those too, as the OpenTelemetry
    # Postgres instrumentation needs @types/pg; npm then marks it as a production package.)
    devs=$(docker compose exec -T "$name" node -e '
      const fs = require("node:fs");
      const { packages } = JSON.parse(fs.readFileSync("/app/package-lock.json", "utf8"));
      const devOnly = Object.entries(packages).filter(([path, entry]) => path && entry.dev).map(([path]) => path);
      console.log(devOnly.filter((path) => fs.existsSync(`/app/${path}`)).map((path) => path.replace(/^.*node_modules\//, "")).join(" "));')
    sources=$(docker compose exec -T "$name" find /app -path /app/node_modules -prune -o \
      \( -name '*.ts' -o -name '*.spec.*' -o -name tsconfig.json -o -name '*.map' \) -print)
    size=$(docker image inspect --format '{{.Size}}' "$image")
    say "image of $name: $((size / 1000000)) MB ($(((size - base) / 1000000)) MB over its Node base), runs as $user, devDependencies: ${devs:-none}, sources: ${sources:-none}"
    if [ "$user" = root ] || [ -n "$devs" ] || [ -n "$sources" ]; then failed=1; fi
  done
  if [ $failed -ne 0 ]; then say "an image runs as root, or holds devDependencies or sources (above)" >&2; return 1; fi
}

local_mode() {
  . scripts/node-env.sh
  trap 'status=$?; if [ $status -ne 0 ]; then for app in "${apps[@]}"; do echo "--- .local/logs/$app.log"; tail -n 40 ".local/logs/$app.log" 2>/dev/null; done; fi; npm run local:down; exit $status' EXIT
  npm run local:down
  bash scripts/kafka.sh reset
  node scripts/create-databases.mjs --drop
  npm run local:up
  npm run seed
  node scripts/readme-order.mjs
  # The Grafana dashboard's queries on a real Prometheus, scraping these services (PROMETHEUS: its binary).
  if [ -n "${PROMETHEUS:-}" ] || command -v prometheus >/dev/null; then
    node scripts/check-dashboard.mjs
  else
    say "SKIPPED the dashboard check: no Prometheus (set PROMETHEUS to its binary)"
  fi
}

mode=${1:-}
case "$mode" in
  compose) compose ;;
  compose-cluster) compose_cluster ;;
  observability) observability ;;
  local) local_mode ;;
  *) echo "usage: $0 compose|compose-cluster|observability|local" >&2; exit 2 ;;
esac
say "passed"
