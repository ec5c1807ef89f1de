#!/usr/bin/env bash
# run.sh OUTDIR [WORKLOAD] [extra qemu args...]: boots the guest that
# build.sh put in OUTDIR under QEMU (TCG) with the serial console on
# stdout, runs WORKLOAD (default basic) and returns when the guest powers
# off.  The console ends with "VMSCOPE-WORKLOAD-DONE WORKLOAD rc=N".
# Extra arguments go to QEMU as they are, e.g.
#   -plugin path/to/libvmscope_recorder.so,...   -smp 2
#   -cpu qemu64,vendor=GenuineIntel   (32-bit vDSO calls use sysenter)
# Exit status: QEMU's (0 after a clean power-off), 124 on timeout.
# Environment:
#   VMSCOPE_APPEND    more kernel parameters, e.g. "vmscope.loops=1000"
#   VMSCOPE_TIMEOUT   seconds before QEMU is killed (default 600, 0 = never)
#   VMSCOPE_KERNEL    vmlinux (default) or vmlinuz: the same Debian kernel,
#                     decompressed, booted by its PVH entry (skips the slow
#                     xz decompression under TCG); or a path to a kernel
#   QEMU              the QEMU binary (default qemu-system-x86_64)
set -euo pipefail

prog=run.sh
die() { echo "$prog: error: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $prog OUTDIR [WORKLOAD] [extra qemu args...]" >&2
    echo "workloads: basic (default), i386, loop, stress, hostile, idle, strace-basic, strace-i386, strace-loop, shell" >&2
    exit 2
fi
out=$1
shift
workload=basic
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    workload=$1
    shift
fi
case "$workload" in
*[!A-Za-z0-9._-]*) die "bad workload name '$workload'" ;;
esac

qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${VMSCOPE_TIMEOUT:-600}
command -v "$qemu" >/dev/null || die "$qemu not found (run .ci/install-deps)"
kernel=${VMSCOPE_KERNEL:-vmlinux}
case "$kernel" in
*/*) ;;
*) kernel=$out/$kernel ;;
esac
for f in "$kernel" "$out/initramfs.cpio.gz"; do
    [ -f "$f" ] || die "$f missing: build the guest first with build.sh $out"
done

# TCG, the only accelerator the recorder works with, unless the caller
# chose one.
accel=(-accel tcg)
for arg in "$@"; do
    case "$arg" in
    -accel | --accel | -enable-kvm | --enable-kvm | *accel=*) accel=() ;;
    esac
done

# QEMU's stdio console needs a standard input; give it one if there is none.
if ! { true <&0; } 2>/dev/null; then exec </dev/null; fi

cmd=("$qemu" -nographic -no-reboot -m 512 -nic none "${accel[@]}"
    -kernel "$kernel" -initrd "$out/initramfs.cpio.gz"
    -append "console=ttyS0 quiet panic=-1 vmscope.workload=$workload${VMSCOPE_APPEND:+ $VMSCOPE_APPEND}"
    "$@")
if [ "$timeout_s" = 0 ]; then
    exec "${cmd[@]}"
fi
# --foreground: QEMU keeps the terminal (and stays killable) when run from one.
exec timeout --foreground -k 10 "$timeout_s" "${cmd[@]}"
