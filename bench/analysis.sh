#!/usr/bin/env bash
# The speed of analysis: calls per second of each subcommand and format on
# a large trace recorded from the Linux test guest (the loop workload), on
# 1 core (taskset -c 0) and on both; peak memory on traces of 1x and 10x the calls; and the
# floor, `zstd -d` of the same compressed bytes.
#
#   [ROUNDS=5] bench/analysis.sh [LOOPS]   (default 500000: about 1M calls; 10x for the memory check)
#
# Not part of the test suite; compare figures within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
loops=${1:-500000}

cargo build --release -q -p vmscope -p vmscope-recorder
guest=target/guest-linux
bash tests/guest/linux/build.sh "$guest" >/dev/null
work=target/bench-analysis
mkdir -p "$work"
vmscope=target/release/vmscope

record() { # NAME LOOPS
    local trace=$work/$1.vmt
    if [ ! -f "$trace" ] || ! $vmscope verify "$trace" >/dev/null 2>&1; then
        local start=$EPOCHREALTIME
        VMSCOPE_TIMEOUT=3000 VMSCOPE_APPEND="vmscope.loops=$2" bash tests/guest/linux/run.sh "$guest" loop \
            -plugin "$PWD/target/release/libvmscope_recorder.so,out=$trace,mem=touched" >"$work/$1.console" 2>&1
        echo "$start $EPOCHREALTIME" | awk -v n="$1" '{ printf "recorded %s in %.1f s (wall, boot included)\n", n, $2 - $1 }'
    fi
}

seconds() { # COMMAND... -> "seconds peak_kib" of one run, output discarded
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null
    cat "$work/time.txt"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "command: bench/analysis.sh $loops"
record x1 "$loops"
record x10 "$((loops * 10))"
calls=$($vmscope info $work/x1.vmt | awk '/^events/ { gsub(/,/, "", $4); print $4 }')
echo "x1 trace: $(stat -c %s $work/x1.vmt) bytes, $calls calls"
# Record once, analyze many: the guest's own time for the recorded run
# (its uptime at the end, as the workload prints it) against one analysis.
uptime=$(grep -o 'guest uptime [0-9.]*' "$work/x1.console" | awk '{ print $3 }' || true)
echo "x1 recording: guest uptime ${uptime:-unknown} s (boot and workload, under the recorder)"

# The floor: decompress the same chunk payloads with zstd -d.
python3 - "$work/x1.vmt" "$work/x1.zst" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "wb")
pos = 16
while pos + 24 <= len(data) and data[pos:pos + 4] == b"VMTF":
    kind = data[pos + 4]
    length = struct.unpack_from("<I", data, pos + 8)[0]
    if kind == 2:
        out.write(data[pos + 24:pos + 24 + length])
    pos += 24 + length
PY
floor=$(seconds zstd -d -c -q "$work/x1.zst" | cut -d' ' -f1)
echo "floor    zstd -d of the chunk payloads: $floor s"

# Each command on one core (taskset -c 0) and on both, alternating, ROUNDS
# times: the best and the median of each, and the median of the ratios of
# each round's pair. The machine's own ceiling for two cores, measured in
# the same way: the 1-core jsonl journal alone against two copies of it
# at once, one per core (two wholly independent runs: what two cores give
# when nothing at all is shared in the program).
stats() { # LABEL FILE-OF-"one two"-PAIRS
    python3 - "$@" <<'PY'
import statistics, sys
label, path = sys.argv[1], sys.argv[2]
pairs = [tuple(map(float, line.split())) for line in open(path) if line.strip()]
one = [p[0] for p in pairs]
two = [p[1] for p in pairs]
ratio = statistics.median(a / b for a, b in pairs)
print(f"{label:<26} 1 core best {min(one):5.2f} s median {statistics.median(one):5.2f} s | "
      f"2 cores best {min(two):5.2f} s median {statistics.median(two):5.2f} s | "
      f"ratio of medians {statistics.median(one) / statistics.median(two):.2f}x, "
      f"median of ratios {ratio:.2f}x, of bests {min(one) / min(two):.2f}x")
PY
}
rounds=${ROUNDS:-5}
for run in "syscalls --format jsonl" "syscalls --format strace" "syscalls --format text" "files" "procs" "verify"; do
    : >"$work/pairs.txt"
    for _ in $(seq 1 "$rounds"); do
        one=$(seconds taskset -c 0 $vmscope $run $work/x1.vmt | cut -d' ' -f1)
        two=$(seconds $vmscope $run $work/x1.vmt | cut -d' ' -f1)
        echo "$one $two" >>"$work/pairs.txt"
    done
    stats "$run" "$work/pairs.txt"
    best=$(sort -n -k2 "$work/pairs.txt" | head -1 | cut -d' ' -f2)
    printf '%-26s 2 cores: %9.0f calls/s (best), %.1fx zstd -d\n' "$run" \
        "$(echo "$calls $best" | awk '{ print $1 / $2 }')" "$(echo "$best $floor" | awk '{ print $1 / $2 }')"
done
: >"$work/ceiling.txt"
for _ in $(seq 1 "$rounds"); do
    alone=$(seconds taskset -c 0 $vmscope syscalls --format jsonl $work/x1.vmt | cut -d' ' -f1)
    start=$EPOCHREALTIME
    taskset -c 0 $vmscope syscalls --format jsonl $work/x1.vmt >/dev/null &
    taskset -c 1 $vmscope syscalls --format jsonl $work/x1.vmt >/dev/null
    wait
    both=$(echo "$start $EPOCHREALTIME" | awk '{ printf "%.2f", ($2 - $1) / 2 }')
    echo "$alone $both" >>"$work/ceiling.txt"
done
stats "ceiling: 2 independent runs" "$work/ceiling.txt"
for size in x1 x10; do
    read -r t kib < <(seconds $vmscope syscalls --format jsonl $work/$size.vmt)
    echo "peak memory, syscalls --format jsonl, $size: $kib KiB ($t s)"
done
t=$(seconds $vmscope syscalls --format jsonl $work/x1.vmt | cut -d' ' -f1)
echo "re-analysis: syscalls --format jsonl of the x1 trace in $t s, against ${uptime:-unknown} s of guest time recorded"
