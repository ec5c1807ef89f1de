#!/usr/bin/env bash
# Re-records the sample traces in traces/ from the Linux test guest
# (tests/guest/linux) with the release recorder. Each trace's header keeps
# the exact QEMU command line and recorder options that made it.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -q -p vmscope -p vmscope-recorder
guest=target/guest-linux
bash tests/guest/linux/build.sh "$guest" >/dev/null
plugin=target/release/libvmscope_recorder.so

record() { # NAME WORKLOAD [QEMU ARGS...]
    local name=$1 workload=$2
    shift 2
    echo "== traces/$name.vmt ($workload $*)"
    VMSCOPE_TIMEOUT=300 bash tests/guest/linux/run.sh "$guest" "$workload" "$@" \
        -plugin "$plugin,out=traces/$name.vmt,level=19" >"target/$name.console" 2>&1 ||
        { cat "target/$name.console" >&2; exit 1; }
    grep -q "VMSCOPE-WORKLOAD-DONE $workload rc=0" "target/$name.console" ||
        { echo "record.sh: $workload did not finish" >&2; exit 1; }
    target/release/vmscope verify "traces/$name.vmt" | tail -1
}

record linux-basic basic
record linux-basic-smp2 basic -smp 2
record linux-i386-sysenter i386 -cpu qemu64,vendor=GenuineIntel

# The synthetic NT-ABI guest (tests/guest/nt-synthetic): not Windows, a
# small kernel that follows NT's conventions and service numbers.
nt=target/guest-nt
bash tests/guest/nt-synthetic/build.sh "$nt" >/dev/null
record_nt() { # NAME FLAVOUR
    local name=$1 flavour=$2
    echo "== traces/$name.vmt (synthetic NT-ABI guest, $flavour)"
    bash tests/guest/nt-synthetic/run.sh "$nt" "$flavour" \
        -plugin "$plugin,out=traces/$name.vmt,level=19" >"target/$name.console" 2>&1 ||
        { cat "target/$name.console" >&2; exit 1; }
    grep -q "VMSCOPE-NT-DONE rc=0" "target/$name.console" ||
        { echo "record.sh: the $flavour guest did not finish" >&2; exit 1; }
    target/release/vmscope verify "traces/$name.vmt" | tail -1
}
record_nt nt-synthetic-x86 x86
record_nt nt-synthetic-x64 x64
ls -l traces/*.vmt
