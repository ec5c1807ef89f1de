#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh OUTDIR FLAVOUR [extra qemu args...]: boots the synthetic NT-ABI
# guest that build.sh put in OUTDIR (FLAVOUR x64 or x86) under QEMU (TCG)
# with the serial console on stdout; returns when the guest powers off.
# The console ends with "VMSCOPE-NT-DONE rc=N" (0 = every check passed).
# Extra arguments go to QEMU as they are, e.g.
#   -plugin path/to/libvmscope_recorder.so,out=nt.vmt
# The guest leaves through isa-debug-exit (port 0xf4): it writes 0x10 for
# success, QEMU then exits with status (0x10 << 1) | 1 = 33, which this
# script turns into 0; 0x11 (status 35) is a failed check or a kernel
# panic, and is returned as 1.
# Exit status: 0 on success, 1 on failure, 124 on timeout, else QEMU's.
# Environment:
#   VMSCOPE_TIMEOUT   seconds before QEMU is killed (default 60, 0 = never)
#   QEMU              the QEMU binary (default qemu-system-x86_64)
set -euo pipefail

prog=run.sh
die() { echo "$prog: error: $*" >&2; exit 2; }

if [ $# -lt 2 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $prog OUTDIR x64|x86 [extra qemu args...]" >&2
    exit 2
fi
out=$1
flavour=$2
shift 2
case "$flavour" in
x64 | x86) ;;
*) die "unknown flavour '$flavour' (x64, x86)" ;;
esac

qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${VMSCOPE_TIMEOUT:-60}
command -v "$qemu" >/dev/null || die "$qemu not found"
kernel=$out/nt-$flavour.elf
[ -f "$kernel" ] || die "$kernel missing: build the guest first with build.sh $out"

# TCG, the only accelerator the recorder works with, unless the caller
# chose one; qemu64 has sysenter in legacy mode and syscall in long mode.
accel=(-accel tcg)
cpu=(-cpu qemu64)
for arg in "$@"; do
    case "$arg" in
    -accel | --accel | -enable-kvm | --enable-kvm | *accel=*) accel=() ;;
    -cpu | --cpu) cpu=() ;;
    esac
done

# QEMU's stdio console needs a standard input; give it one if there is none.
if ! { true <&0; } 2>/dev/null; then exec </dev/null; fi

cmd=("$qemu" -kernel "$kernel" -m 64 -display none -serial stdio -monitor none -no-reboot -nic none
    "${accel[@]}" "${cpu[@]}" -device isa-debug-exit,iobase=0xf4,iosize=4 "$@")
if [ "$timeout_s" != 0 ]; then
    cmd=(timeout --foreground -k 10 "$timeout_s" "${cmd[@]}")
fi
set +e
"${cmd[@]}"
rc=$?
set -e
case $rc in
33) exit 0 ;;
35) echo "$prog: the guest reported a failure" >&2; exit 1 ;;
124) echo "$prog: timed out after ${timeout_s}s" >&2; exit 124 ;;
*) echo "$prog: QEMU exited with status $rc" >&2; exit "$rc" ;;
esac
