#!/usr/bin/env bash
# Start a real single-node Apache Kafka 4.x broker (KRaft, broker+controller in one
# JVM) from Maven Central jars, with no Docker. Safe to run twice: if our broker is
# already up it just says so. Stop it with scripts/kafka-stop.sh.
#
# Knobs (env):
#   KAFKA_PORT=9092             client listener on 127.0.0.1
#   KAFKA_CONTROLLER_PORT=9093  KRaft controller listener on 127.0.0.1
#   KAFKA_DATA_DIR=/tmp/inventory-kafka-$KAFKA_PORT  config, logs, pid, broker.log
#   KAFKA_HEAP=-Xmx512m         JVM heap flags
#   KAFKA_LIB_DIR=<repo>/.cache/kafka/lib   where Maven copies the jars
#   KAFKA_START_TIMEOUT=90      seconds to wait for the broker to answer
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-/tmp/inventory-kafka-$KAFKA_PORT}"
KAFKA_HEAP="${KAFKA_HEAP:--Xmx512m}"
KAFKA_LIB_DIR="${KAFKA_LIB_DIR:-$ROOT/.cache/kafka/lib}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
# Any valid base64 UUID will do for a throwaway single-node cluster; a fixed one
# saves a JVM start (StorageTool random-uuid) on every fresh data dir.
KAFKA_CLUSTER_ID="${KAFKA_CLUSTER_ID:-MkU3OEVBNTcwNTJENDM2Qg}"

POM="$ROOT/scripts/kafka/pom.xml"
LOG4J="$ROOT/scripts/kafka/log4j2.properties"
PID_FILE="$KAFKA_DATA_DIR/broker.pid"
BROKER_LOG="$KAFKA_DATA_DIR/broker.log"
ADDR="127.0.0.1:$KAFKA_PORT"
# Same log4j config for every JVM we run, so the tools stay quiet too.
JAVA_OPTS=(-Djava.awt.headless=true "-Dlog4j2.configurationFile=$LOG4J" -cp "$KAFKA_LIB_DIR/*")

mkdir -p "$KAFKA_DATA_DIR"
# One start at a time per data dir (e.g. parallel test runners). fd 9 is closed
# for the broker below, so the lock is released when this script exits.
exec 9>"$KAFKA_DATA_DIR/.start.lock"
flock 9

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Our broker = the pid in the pid file is alive and really is kafka.Kafka
# (guards against a stale pid file whose pid got reused).
broker_pid() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' &&
    echo "$pid"
}

# A bound port is not enough: the broker must have joined its own KRaft quorum
# and be unfenced. BrokerApiVersionsCommand only lists brokers that the cluster
# metadata reports, so "(id: N" in its output means clients can really use it.
# (The port check first avoids starting a JVM while the broker is still booting;
# not relying on the "Kafka Server started" log line keeps this independent of logging.)
broker_answers() {
  local out
  port_open "$KAFKA_PORT" || return 1
  # Captured first, not piped into grep -q: with pipefail an early grep exit could fail the pipe.
  out="$(timeout 20 java "${JAVA_OPTS[@]}" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "$ADDR" 2>/dev/null)" || return 1
  [[ "$out" == *"(id: "* ]]
}

wait_until_ready() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka broker (pid $pid) exited during startup; last 50 lines of $BROKER_LOG:" >&2
      tail -n 50 "$BROKER_LOG" >&2 || true
      exit 1
    fi
    broker_answers && return 0
    sleep 1
  done
  echo "kafka broker (pid $pid) did not answer on $ADDR within ${KAFKA_START_TIMEOUT}s; last 50 lines of $BROKER_LOG:" >&2
  tail -n 50 "$BROKER_LOG" >&2 || true
  echo "(it is left running; scripts/kafka-stop.sh stops it)" >&2
  exit 1
}

# --- already running? ------------------------------------------------------------
if pid="$(broker_pid)"; then
  wait_until_ready "$pid"   # returns at once if it is up; waits if it is still starting
  echo "kafka already running on $ADDR"
  exit 0
fi
for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
  if port_open "$p"; then
    echo "port 127.0.0.1:$p is already in use by something that is not our broker ($PID_FILE)" >&2
    exit 1
  fi
done

# --- jars: fetch once from Maven Central into the cache ----------------------------
KAFKA_VERSION="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")"
MARKER="$KAFKA_LIB_DIR/.kafka-version"
if [[ "$(cat "$MARKER" 2>/dev/null)" != "$KAFKA_VERSION" ]]; then
  mkdir -p "$(dirname "$KAFKA_LIB_DIR")"
  (
    # Separate lock: brokers on other ports share the same jar cache.
    flock 8
    if [[ "$(cat "$MARKER" 2>/dev/null)" != "$KAFKA_VERSION" ]]; then
      echo "fetching Kafka $KAFKA_VERSION jars into $KAFKA_LIB_DIR (once)..." >&2
      rm -rf "$KAFKA_LIB_DIR"   # drop jars of another version
      # Maven's output goes to a file (even -q prints colour codes); shown only on failure.
      mvn -B -q -f "$POM" dependency:copy-dependencies "-Dkafka.lib.dir=$KAFKA_LIB_DIR" \
        >"$KAFKA_LIB_DIR.mvn.log" 2>&1 || {
        echo "maven failed to fetch the Kafka jars:" >&2; cat "$KAFKA_LIB_DIR.mvn.log" >&2; exit 1; }
      # Written last, so an interrupted download is retried next time.
      echo "$KAFKA_VERSION" >"$MARKER"
    fi
  ) 8>"$KAFKA_LIB_DIR.lock"
fi

# --- config (rewritten every start, so edits here apply to reused data dirs) ------
cat >"$KAFKA_DATA_DIR/server.properties" <<EOF
# Generated by scripts/kafka-start.sh; edits here are overwritten.
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
# Static single-voter quorum: simplest KRaft setup, no --standalone / dynamic voters.
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
log.dirs=$KAFKA_DATA_DIR/logs
# One broker: every internal topic must live with replication factor 1 (the
# transaction state log too: the outbox relay publishes in transactions, and a
# transactional producer cannot initialise until that log has its replicas).
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Fast for tests: no rebalance delay, few partitions for internal topics (the
# default 50 makes the first consumer group / transaction take seconds).
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=3
transaction.state.log.num.partitions=3
num.partitions=3
auto.create.topics.enable=true
delete.topic.enable=true
# 2-core machine: do not start the default 3 network / 8 I/O threads.
num.network.threads=2
num.io.threads=2
EOF

# --- format storage once (meta.properties exists after a successful format) -------
if [[ ! -f "$KAFKA_DATA_DIR/logs/meta.properties" ]]; then
  java "${JAVA_OPTS[@]}" kafka.tools.StorageTool format \
    -t "$KAFKA_CLUSTER_ID" -c "$KAFKA_DATA_DIR/server.properties" >"$KAFKA_DATA_DIR/format.log" 2>&1 || {
    echo "kafka storage format failed:" >&2; cat "$KAFKA_DATA_DIR/format.log" >&2; exit 1; }
fi

# --- start in the background, detached from this shell ---------------------------
# setsid: own session, so Ctrl-C / the caller's process group does not kill it.
# 9>&-: do not let the broker inherit (and hold) the start lock.
# shellcheck disable=SC2086  # KAFKA_HEAP may hold several flags
setsid nohup java $KAFKA_HEAP "${JAVA_OPTS[@]}" kafka.Kafka "$KAFKA_DATA_DIR/server.properties" \
  </dev/null >"$BROKER_LOG" 2>&1 9>&- &
pid=$!
echo "$pid" >"$PID_FILE"

wait_until_ready "$pid"
echo "kafka ready on $ADDR"
