#!/usr/bin/env bash
# Runs the prodpulse benchmarks in sequence (2 cores: never two loads at once), raw output to bench/results/.
# Sidecar processes run with the `npm start` flags (compile cache, --max-semi-space-size=4; bench/lib.ts npmStart).
#   npm run bench                 full run (~25 min: soak alone is 10 min idle + 60 s load)
#   QUICK=1 npm run bench         smoke run with short durations (~4 min)
#   ONLY="throughput cycles" npm run bench     a subset, by step name
#   SEMI="1 2 4 8" npm run bench  also repeat the memory-under-load + throughput runs with --max-semi-space-size=N
#   SI=1 npm run bench            also run bench/si-spawns.ts (systeminformation spawns vs /proc collectors)
#   ONLY="probe-history-size health-query" npm run bench    issue 9: history size over 30 days, GET /health/:id p99
#   ONLY=probes-sidecar npm run bench   issue 9: 500 targets every 5 s on the real sidecar process (~4 min)
#   ONLY=fault npm run bench      issue 12: webhook down 60 s (real time), SIGKILL mid-outage and mid-send, drain (~3 min)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/node/bin:$PATH"
OUT=bench/results; [ "${QUICK:-0}" = 1 ] && OUT=bench/results/quick
mkdir -p "$OUT"
case "$(node --version)" in v2[2-9]*|v[3-9]*) ;; *) echo "node >= 22.18 needed (got $(node --version)); npm install first" >&2; exit 1 ;; esac
command -v wrk >/dev/null || { echo "wrk not installed" >&2; exit 1; }
[ -x /usr/bin/prometheus-node-exporter ] || { echo "/usr/bin/prometheus-node-exporter not installed" >&2; exit 1; }

STEPS="${ONLY:-throughput idle-cpu cycles alert-latency alerts-burst rss-breakdown heartbeat-ingest fault soak}"
SOAK_IDLE="${SOAK_IDLE:-}"   # override the soak's idle seconds
step() {
  local name="$1"; shift
  echo "=== $name: $* ($(date -u +%H:%M:%S))"
  "$@" 2>&1 | tee "$OUT/$name.out"
}
for s in $STEPS; do
  case "$s" in
    throughput)    step throughput node bench/throughput.ts ;;
    idle-cpu)      step idle-cpu node bench/idle-cpu.ts ;;
    cycles)        step cycles node --expose-gc bench/cycles.ts ;;
    alert-latency) step alert-latency node bench/alert-latency.ts ;;
    alerts-burst)  step alerts-burst node bench/alerts-burst.ts ;;
    rss-breakdown) step rss-breakdown node bench/rss-breakdown.ts ;;
    probes)        step probes node bench/probes.ts ;;
    probes-sidecar) step probes-sidecar node bench/probes-sidecar.ts $([ "${QUICK:-0}" = 1 ] && echo --targets=50 --seconds=15) ;;
    soak)          step soak node bench/soak.ts ${SOAK_IDLE:+--idle-seconds=$SOAK_IDLE} ;;
    heartbeat-ingest) step heartbeat-ingest node bench/heartbeat-ingest.ts ;;
    fault)         step fault node bench/fault.ts --second-kill ${FAULT_OUTAGE:+--outage-seconds=$FAULT_OUTAGE} ;;
    # issue 9, not in the default set (~30-40 min together): ONLY="probe-history-size health-query"
    probe-history-size) step probe-history-size node bench/probe-history-size.ts --dir=/dev/shm $([ "${QUICK:-0}" = 1 ] && echo --days=3) --keep=/dev/shm/prodpulse-month.db ;;
    health-query)  step health-query node bench/health-query.ts $([ -f /dev/shm/prodpulse-month.db ] && echo --db=/dev/shm/prodpulse-month.db); rm -f /dev/shm/prodpulse-month.db ;;
    *) echo "unknown step $s" >&2; exit 2 ;;
  esac
done
for n in ${SEMI:-}; do
  step "soak-semi$n" node bench/soak.ts --plain-node --idle-seconds=${SEMI_IDLE:-30} --node-arg=--max-semi-space-size=$n --tag=semi$n
  step "throughput-semi$n" node bench/throughput.ts --plain-node --sidecar-only --node-arg=--max-semi-space-size=$n --tag=semi$n
done
if [ "${SI:-0}" = 1 ]; then step si-spawns node bench/si-spawns.ts; fi
echo "results in $OUT/"
