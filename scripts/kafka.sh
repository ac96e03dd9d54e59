#!/usr/bin/env bash
# Runs a real Apache Kafka (KRaft) without Docker: the jars (version in infra/kafka/kafka.env) are resolved from
# Maven Central with Maven and run with plain `java`. Two profiles, one at a time (both use port 9092):
#   KAFKA_PROFILE=single (default)  one node, broker and controller, on 127.0.0.1:9092
#   KAFKA_PROFILE=cluster           a controller (9093) and three brokers: 127.0.0.1:9092, :9094, :9096
# Usage: scripts/kafka.sh install|start|stop|status|reset|brokers
#        scripts/kafka.sh stop-node|start-node <name>   one node of the cluster (broker-1, broker-2, broker-3)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF_DIR="$ROOT/infra/kafka"
# shellcheck source=../infra/kafka/kafka.env
. "$CONF_DIR/kafka.env"

KAFKA_HOME="$ROOT/.local/kafka"
LIBS_DIR="$KAFKA_HOME/$KAFKA_VERSION/libs"
KAFKA_PROFILE=${KAFKA_PROFILE:-single}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
# Fixed cluster id: the data dirs are formatted once and reused across restarts (`reset` wipes them).
CLUSTER_ID=N4JOHRAeSLuVorJ5syBGOQ
HOST=127.0.0.1
START_TIMEOUT=60
STOP_TIMEOUT=30

die() { echo "kafka: $*" >&2; exit 1; }

# The nodes of the profile, each as name:port (the port that says it listens). The single node keeps the paths
# it always had; the cluster's nodes live under .local/kafka/cluster/<name>.
case "$KAFKA_PROFILE" in
  single) NODES=(kafka:9092) ;;
  cluster) NODES=(controller:9093 broker-1:9092 broker-2:9094 broker-3:9096) ;;
  *) die "KAFKA_PROFILE must be single or cluster, not $KAFKA_PROFILE" ;;
esac

node_dir() { if [ "$1" = kafka ]; then echo "$KAFKA_HOME"; else echo "$KAFKA_HOME/cluster/$1"; fi; }
pid_file() { echo "$(node_dir "$1")/kafka.pid"; }
data_dir() { if [ "$1" = kafka ]; then echo "${KAFKA_DATA_DIR:-$KAFKA_HOME/data}"; else echo "$(node_dir "$1")/data"; fi; }
log_file() { if [ "$1" = kafka ]; then echo "${KAFKA_LOG_FILE:-$ROOT/.local/logs/kafka.log}"; else echo "$ROOT/.local/logs/kafka-$1.log"; fi; }

pid() { local file; file=$(pid_file "$1"); [ -f "$file" ] && cat "$file" || true; }

# Alive and really our node (guards against a stale pid file whose pid was reused).
running() {
  local p; p=$(pid "$1")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The node's server.properties: the profile's shared file, then the node's own lines.
properties() {
  local name=$1 port=$2
  if [ "$name" = kafka ]; then
    cat "$CONF_DIR/server.properties"
  else
    cat "$CONF_DIR/cluster.properties"
    echo
    if [ "$name" = controller ]; then
      printf 'node.id=1\nprocess.roles=controller\nlisteners=CONTROLLER://%s:%s\n' "$HOST" "$port"
    else
      printf 'node.id=%s\nprocess.roles=broker\nlisteners=PLAINTEXT://%s:%s\nadvertised.listeners=PLAINTEXT://%s:%s\n' \
        "$((${name#broker-} + 1))" "$HOST" "$port" "$HOST" "$port"
    fi
  fi
  echo
  echo "log.dirs=$(data_dir "$name")"
}

# The brokers' addresses, for KAFKA_BROKERS.
brokers() {
  local entry list=()
  for entry in "${NODES[@]}"; do [ "${entry%%:*}" = controller ] || list+=("$HOST:${entry##*:}"); done
  (IFS=,; echo "${list[*]}")
}

install() {
  if [ -f "$LIBS_DIR/.complete" ]; then
    echo "kafka: $KAFKA_VERSION already installed in ${LIBS_DIR#"$ROOT"/}"
    return
  fi
  command -v mvn >/dev/null || die "mvn (Maven) is required"
  echo "kafka: resolving Apache Kafka $KAFKA_VERSION from Maven Central"
  local tmp="$LIBS_DIR.tmp"
  rm -rf "$tmp"
  mvn -q -B -f "$CONF_DIR/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR" # only a complete download becomes the libs dir
  touch "$LIBS_DIR/.complete"
  echo "kafka: installed into ${LIBS_DIR#"$ROOT"/}"
}

start() {
  command -v java >/dev/null || die "java (17+) is required"
  install
  local entry
  for entry in "${NODES[@]}"; do start_node "${entry%%:*}" "${entry##*:}"; done
  [ "$KAFKA_PROFILE" = single ] || echo "kafka: the cluster is up; KAFKA_BROKERS=$(brokers)"
}

start_node() {
  local name=$1 port=$2 dir props log
  dir=$(node_dir "$name"); props="$dir/server.properties"; log=$(log_file "$name")
  if running "$name"; then
    echo "kafka($name): already running (pid $(pid "$name")) on $HOST:$port"
    return
  fi
  rm -f "$(pid_file "$name")"
  if port_open "$port"; then die "port $port is already in use by another process (another profile of the broker?)"; fi

  mkdir -p "$dir" "$(data_dir "$name")" "$(dirname "$log")"
  properties "$name" "$port" >"$props"
  # Keep the previous run's log; readiness is detected on a fresh file.
  [ -f "$log" ] && mv "$log" "$log.1"

  local java_opts=(-cp "$LIBS_DIR/*" -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$CONF_DIR/log4j2.yaml" -Dkafka.log.file="$log")
  # Writes meta.properties and the bootstrap metadata on the first start only.
  java "${java_opts[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$props" \
    --ignore-formatted >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "storage format failed"; }

  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several options
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${java_opts[@]}" \
    kafka.Kafka "$props" >>"$log" 2>&1 </dev/null &
  local started=$!
  echo $started >"$(pid_file "$name")"

  echo -n "kafka($name): starting $KAFKA_VERSION (pid $started)"
  local t0=$SECONDS deadline=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    # kill -0, not running(): until the child has exec'd java, its command line does not say kafka.Kafka yet.
    if ! kill -0 "$started" 2>/dev/null; then break; fi
    if grep -q 'Kafka Server started' "$log" && port_open "$port"; then
      echo
      echo "kafka($name): ready on $HOST:$port after $((SECONDS - t0))s; log: ${log#"$ROOT"/}"
      return
    fi
    echo -n .
    sleep 1
  done
  echo
  tail -n 40 "$log" >&2
  if kill -0 "$started" 2>/dev/null; then
    echo "kafka($name): not ready after ${START_TIMEOUT}s (still running as pid $started; see $log)" >&2
  else
    rm -f "$(pid_file "$name")"
    echo "kafka($name): exited during startup (see $log)" >&2
  fi
  exit 1
}

stop() {
  local i
  # Brokers before the controller, in reverse order of starting.
  for ((i = ${#NODES[@]} - 1; i >= 0; i--)); do stop_node "${NODES[$i]%%:*}"; done
}

stop_node() {
  local name=$1
  if ! running "$name"; then
    rm -f "$(pid_file "$name")"
    echo "kafka($name): not running"
    return
  fi
  local p; p=$(pid "$name")
  echo -n "kafka($name): stopping (pid $p)"
  kill -TERM "$p" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do echo -n .; sleep 1; done
  echo
  if kill -0 "$p" 2>/dev/null; then
    echo "kafka($name): no clean shutdown after ${STOP_TIMEOUT}s, killing" >&2
    kill -KILL "$p" 2>/dev/null || true
    while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$(pid_file "$name")"
  echo "kafka($name): stopped"
}

status() {
  local entry down=0
  for entry in "${NODES[@]}"; do
    if running "${entry%%:*}"; then
      echo "kafka(${entry%%:*}): running (pid $(pid "${entry%%:*}")) on $HOST:${entry##*:}"
    else
      echo "kafka(${entry%%:*}): not running"
      down=1
    fi
  done
  return $down
}

reset() {
  local entry
  for entry in "${NODES[@]}"; do
    stop_node "${entry%%:*}"
    rm -rf "$(data_dir "${entry%%:*}")" "$(node_dir "${entry%%:*}")/server.properties"
  done
  echo "kafka: data deleted ($KAFKA_PROFILE profile); the next start formats a fresh broker"
}

node_named() {
  local entry
  for entry in "${NODES[@]}"; do [ "${entry%%:*}" = "${1:-}" ] && { echo "$entry"; return; }; done
  die "no node ${1:-} in the $KAFKA_PROFILE profile (${NODES[*]%%:*})"
}

case "${1:-}" in
  install | start | stop | status | reset | brokers) "$1" ;;
  stop-node) entry=$(node_named "${2:-}"); stop_node "${entry%%:*}" ;;
  start-node) install; entry=$(node_named "${2:-}"); start_node "${entry%%:*}" "${entry##*:}" ;;
  *) echo "usage: $0 install|start|stop|status|reset|brokers | stop-node|start-node <name>" >&2; exit 2 ;;
esac
