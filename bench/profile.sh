#!/usr/bin/env bash
# Profiles one Rust server of the benchmark on a fixed number of messages, connections and
# disconnections left out:
#
#   bench/profile.sh [callgrind|perf] framework|socketioxide echo|echo-ack|echo-validated [MESSAGES]
#
# callgrind (valgrind): counts instructions, which other processes on the machine do not
#   disturb; prints instructions per message and the top functions (inclusive and exclusive).
# perf: samples cpu-clock (works in VMs without hardware counters); prints the top symbols.
#
# Builds the bench with line tables into target/bench-profile (the normal release build is left
# alone), pins the server to core 0 and the load to core 1, and leaves the raw profile in
# target/bench-profile/.
set -euo pipefail

tool=${1:?usage: bench/profile.sh [callgrind|perf] framework|socketioxide echo|echo-ack|echo-validated [MESSAGES]}
kind=${2:?server: framework or socketioxide}
scenario=${3:?scenario: echo, echo-ack or echo-validated}
messages=${4:-}
case $tool in
callgrind) messages=${messages:-20000} ;;
perf) messages=${messages:-1000000} ;;
*) echo "unknown tool $tool (callgrind, perf)" >&2; exit 2 ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_PROFILE_DIR:-$root/target/bench-profile}
mkdir -p "$out"
CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=$out \
  cargo build --quiet --release -p bench --manifest-path "$root/Cargo.toml"
bin=$out/release/bench
portfile=$out/port.$$
sync=$out/sync.$$
rm -f "$portfile" "$sync"

case $tool in
callgrind)
  data=$out/callgrind.$kind.$scenario.out
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$data" "$bin" serve "$kind" \
    >"$portfile" 2>"$out/valgrind.log" &
  ;;
perf)
  taskset -c 0 "$bin" serve "$kind" >"$portfile" &
  ;;
esac
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$portfile" "$sync"' EXIT
for _ in $(seq 300); do grep -q PORT= "$portfile" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT=//p' "$portfile")
# The pid of the server itself (valgrind runs it in its own process, under the same pid).
pid=$server

BENCH_LOAD_SYNC=$sync taskset -c 1 "$bin" load "$port" "$scenario" "$messages" 100 &
load=$!
wait_sync() { while [ ! -e "$sync" ]; do sleep 0.05; done; }

wait_sync # connected
case $tool in
callgrind) callgrind_control -z "$pid" >/dev/null ;;
perf)
  data=$out/perf.$kind.$scenario.data
  perf record -q -e cpu-clock -F 4999 -g -p "$pid" -o "$data" 2>/dev/null &
  perf=$!
  sleep 0.5
  ;;
esac
rm -f "$sync"
wait_sync # done
case $tool in
callgrind) callgrind_control -d "$pid" >/dev/null ;;
perf) kill -INT $perf; wait $perf || true ;;
esac
rm -f "$sync"
wait $load
kill $server 2>/dev/null || true
wait $server 2>/dev/null || true

case $tool in
callgrind)
  # The dump made by callgrind_control has a numeric suffix.
  dump=$(ls -t "$data".* 2>/dev/null | head -1)
  total=$(grep -m1 '^summary:' "$dump" | awk '{print $2}')
  echo "instructions: $total over $messages messages: $((total / messages)) per message"
  callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | head -60
  echo
  callgrind_annotate "$dump" 2>/dev/null | head -45
  echo "profile: $dump"
  ;;
perf)
  echo "where the server's time went (kernel or user space, by object):"
  perf report -i "$data" --no-children --sort dso -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -8
  echo "top symbols:"
  perf report -i "$data" --no-children --sort symbol -g none --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -40
  echo "profile: $data"
  ;;
esac
