#!/usr/bin/env bash
# The cost of recording: the same QEMU, guest and workload without the
# recorder, with mem=none and with mem=touched, and (beside them, the
# in-guest alternative) under strace -f inside the guest without the
# recorder; in rotating order within each round; the median wall time of
# each and its ratio to plain. Also the trace bytes per system call and
# the compression of the recorded messages.
#
#   bench/recording.sh [ROUNDS]          (default 5)
#
# Workloads (tests/guest/linux): idle = boot and power off (boot-heavy),
# loop = 200000 getppid + write(/dev/null) pairs (syscall-heavy).
# Not part of the test suite: these machines are shared and noisy, so
# compare the ratios of one run, never absolute times across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}

cargo build --release -q -p vmscope -p vmscope-recorder
guest=target/guest-linux
bash tests/guest/linux/build.sh "$guest" >/dev/null
plugin=$PWD/target/release/libvmscope_recorder.so
work=target/bench-recording
rm -rf "$work" && mkdir -p "$work"

run_once() { # WORKLOAD MODE -> seconds on stdout
    local workload=$1 mode=$2 extra=() guest_workload=$1
    case "$mode" in
    plain) ;;
    strace) guest_workload=quiet-strace-$workload ;;
    *) extra=(-plugin "$plugin,out=$work/$workload-$mode.vmt,mem=$mode") ;;
    esac
    local start=$EPOCHREALTIME
    VMSCOPE_TIMEOUT=600 bash tests/guest/linux/run.sh "$guest" "$guest_workload" "${extra[@]}" \
        >"$work/$workload-$mode.console" 2>&1
    local end=$EPOCHREALTIME
    grep -q "VMSCOPE-WORKLOAD-DONE $guest_workload rc=0" "$work/$workload-$mode.console" ||
        { echo "bench: $workload ($mode) did not finish" >&2; exit 1; }
    echo "$start $end" | awk '{ printf "%.3f\n", $2 - $1 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "qemu:    $(qemu-system-x86_64 --version | head -1)"
echo "command: bench/recording.sh $rounds"
for workload in idle loop; do
    modes=(plain none touched)
    # Tracing nothing is not a comparison: strace only for the loop.
    [ "$workload" = loop ] && modes+=(strace)
    for round in $(seq 1 "$rounds"); do
        # Rotate the order each round so no mode always runs first.
        for i in $(seq 0 $((${#modes[@]} - 1))); do
            mode=${modes[$(((i + round) % ${#modes[@]}))]}
            run_once "$workload" "$mode" >>"$work/$workload-$mode.times"
        done
    done
    plain=$(median <"$work/$workload-plain.times")
    for mode in "${modes[@]}"; do
        m=$(median <"$work/$workload-$mode.times")
        printf '%-5s %-8s median %7.3f s  ratio %.3f  (runs: %s)\n' "$workload" "$mode" "$m" \
            "$(echo "$m $plain" | awk '{ print $1 / $2 }')" "$(tr '\n' ' ' <"$work/$workload-$mode.times")"
    done
    for mode in none touched; do
        info=$(target/release/vmscope info "$work/$workload-$mode.vmt")
        bytes=$(echo "$info" | awk '/^trace/ { gsub(/\(/, "", $3); print $3 }')
        calls=$(echo "$info" | awk '/^events/ { gsub(/,/, "", $4); print $4 }')
        memory=$(echo "$info" | awk '/^memory/ { print $2 }')
        messages=$(echo "$info" | awk '/^messages/ { print $2 }')
        printf '%-5s %-8s trace %d bytes, %d calls entered, %d memory bytes: %.1f bytes per call; messages %d bytes, %.1fx compressed\n' \
            "$workload" "$mode" "$bytes" "$calls" "$memory" "$(echo "$bytes $calls" | awk '{ print ($2 ? $1 / $2 : 0) }')" \
            "$messages" "$(echo "$messages $bytes" | awk '{ print $1 / $2 }')"
    done
done
