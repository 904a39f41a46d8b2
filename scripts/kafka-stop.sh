#!/usr/bin/env bash
# Stop the broker started by scripts/kafka-start.sh (same KAFKA_PORT / KAFKA_DATA_DIR).
# Harmless when it is not running. KAFKA_WIPE=1 also deletes the data dir.
set -euo pipefail

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-/tmp/inventory-kafka-$KAFKA_PORT}"
PID_FILE="$KAFKA_DATA_DIR/broker.pid"

pid="$(cat "$PID_FILE" 2>/dev/null || true)"
# Only signal the pid if it is still our kafka.Kafka (a stale pid may be reused).
if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null &&
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
  # SIGTERM = controlled shutdown: logs are flushed, next start skips log recovery.
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "kafka broker (pid $pid) still up after 30s, sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  echo "kafka stopped (pid $pid)"
else
  echo "kafka not running ($PID_FILE)"
fi
rm -f "$PID_FILE"

if [[ "${KAFKA_WIPE:-0}" == 1 ]]; then
  rm -rf "$KAFKA_DATA_DIR"
  echo "kafka data dir $KAFKA_DATA_DIR deleted"
fi
