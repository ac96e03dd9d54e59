#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker (KRaft) on 127.0.0.1:9092 without Docker: the broker jars
# (version in infra/kafka/kafka.env) are resolved from Maven Central with Maven and run with plain `java`.
# Usage: scripts/kafka.sh install|start|stop|status|reset
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CONF_DIR="$ROOT/infra/kafka"
# shellcheck source=../infra/kafka/kafka.env
. "$CONF_DIR/kafka.env"

KAFKA_HOME="$ROOT/.local/kafka"
LIBS_DIR="$KAFKA_HOME/$KAFKA_VERSION/libs"
PID_FILE="$KAFKA_HOME/kafka.pid"
RUNTIME_PROPS="$KAFKA_HOME/server.properties"
KAFKA_DATA_DIR=${KAFKA_DATA_DIR:-$KAFKA_HOME/data}
KAFKA_LOG_FILE=${KAFKA_LOG_FILE:-$ROOT/.local/logs/kafka.log}
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
# Fixed cluster id: the data dir is formatted once and reused across restarts (`reset` wipes it).
CLUSTER_ID=N4JOHRAeSLuVorJ5syBGOQ
HOST=127.0.0.1
PORT=9092 # must match listeners in server.properties
START_TIMEOUT=60
STOP_TIMEOUT=30

die() { echo "kafka: $*" >&2; exit 1; }

pid() { [ -f "$PID_FILE" ] && cat "$PID_FILE" || true; }

# Alive and really our broker (guards against a stale pid file whose pid was reused).
running() {
  local p; p=$(pid)
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; }

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
  if running; then
    echo "kafka: already running (pid $(pid)) on $HOST:$PORT"
    return
  fi
  command -v java >/dev/null || die "java (17+) is required"
  install
  rm -f "$PID_FILE"
  if port_open; then die "port $PORT is already in use by another process"; fi

  mkdir -p "$KAFKA_DATA_DIR" "$(dirname "$KAFKA_LOG_FILE")"
  { cat "$CONF_DIR/server.properties"; echo; echo "log.dirs=$KAFKA_DATA_DIR"; } >"$RUNTIME_PROPS"
  # Keep the previous run's log; readiness is detected on a fresh file.
  [ -f "$KAFKA_LOG_FILE" ] && mv "$KAFKA_LOG_FILE" "$KAFKA_LOG_FILE.1"

  local java_opts=(-cp "$LIBS_DIR/*" -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$CONF_DIR/log4j2.yaml" -Dkafka.log.file="$KAFKA_LOG_FILE")
  # Writes meta.properties and the bootstrap metadata on the first start only.
  java "${java_opts[@]}" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$RUNTIME_PROPS" \
    --ignore-formatted >>"$KAFKA_LOG_FILE" 2>&1 || { tail -n 40 "$KAFKA_LOG_FILE" >&2; die "storage format failed"; }

  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several options
  nohup java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "${java_opts[@]}" \
    kafka.Kafka "$RUNTIME_PROPS" >>"$KAFKA_LOG_FILE" 2>&1 </dev/null &
  local started=$!
  echo $started >"$PID_FILE"

  echo -n "kafka: starting $KAFKA_VERSION (pid $started)"
  local t0=$SECONDS deadline=$((SECONDS + START_TIMEOUT))
  while [ $SECONDS -lt $deadline ]; do
    # kill -0, not running(): until the child has exec'd java, its command line does not say kafka.Kafka yet.
    if ! kill -0 "$started" 2>/dev/null; then break; fi
    if grep -q 'Kafka Server started' "$KAFKA_LOG_FILE" && port_open; then
      echo
      echo "kafka: ready on $HOST:$PORT after $((SECONDS - t0))s; log: ${KAFKA_LOG_FILE#"$ROOT"/}"
      return
    fi
    echo -n .
    sleep 1
  done
  echo
  tail -n 40 "$KAFKA_LOG_FILE" >&2
  if kill -0 "$started" 2>/dev/null; then
    echo "kafka: not ready after ${START_TIMEOUT}s (still running as pid $(pid); see $KAFKA_LOG_FILE)" >&2
  else
    rm -f "$PID_FILE"
    echo "kafka: the broker exited during startup (see $KAFKA_LOG_FILE)" >&2
  fi
  exit 1
}

stop() {
  if ! running; then
    rm -f "$PID_FILE"
    echo "kafka: not running"
    return
  fi
  local p; p=$(pid)
  echo -n "kafka: stopping (pid $p)"
  kill -TERM "$p" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt $deadline ]; do echo -n .; sleep 1; done
  echo
  if kill -0 "$p" 2>/dev/null; then
    echo "kafka: no clean shutdown after ${STOP_TIMEOUT}s, killing" >&2
    kill -KILL "$p" 2>/dev/null || true
    while kill -0 "$p" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$PID_FILE"
  echo "kafka: stopped"
}

status() {
  if running; then
    echo "kafka: running (pid $(pid)) on $HOST:$PORT"
  else
    echo "kafka: not running"
    return 1
  fi
}

reset() {
  stop
  rm -rf "$KAFKA_DATA_DIR" "$RUNTIME_PROPS"
  echo "kafka: data deleted (${KAFKA_DATA_DIR#"$ROOT"/}); the next start formats a fresh broker"
}

case "${1:-}" in
  install | start | stop | status | reset) "$1" ;;
  *) echo "usage: $0 install|start|stop|status|reset" >&2; exit 2 ;;
esac
