#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh OUTDIR [FLAVOUR...]: builds the synthetic NT-ABI test guest (a
# tiny freestanding kernel and user program that follow NT's system call
# conventions; not Windows) into OUTDIR:
#   nt-x64.elf          multiboot ELF32 for `qemu-system-x86_64 -kernel`:
#                       a 32-bit loader with the 64-bit kernel embedded
#   nt-x64-kernel.elf   the 64-bit kernel and user image, with symbols
#   nt-x86.elf          multiboot ELF32, the 32-bit kernel and user image
# FLAVOUR: x64 and/or x86 (default both). Needs gcc (with -m32 support,
# gcc-multilib), ld and objcopy (binutils); nothing else.
# Environment: CC, LD, OBJCOPY, NM (default gcc, ld, objcopy, nm).
set -euo pipefail

prog=build.sh
die() { echo "$prog: error: $*" >&2; exit 1; }

if [ $# -lt 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $prog OUTDIR [x64] [x86]" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
shift
flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(x64 x86)
for f in "${flavours[@]}"; do
    case "$f" in
    x64 | x86) ;;
    *) die "unknown flavour '$f' (x64, x86)" ;;
    esac
done

CC=${CC:-gcc}
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
NM=${NM:-nm}
for tool in "$CC" "$LD" "$OBJCOPY" "$NM" od awk; do
    command -v "$tool" >/dev/null || die "$tool not found (install gcc, gcc-multilib and binutils)"
done
for f in "${flavours[@]}"; do
    if [ "$f" = x86 ]; then
        libgcc32=$("$CC" -m32 -print-libgcc-file-name 2>/dev/null || true)
        [ -f "$libgcc32" ] || die "$CC cannot build 32-bit code (install gcc-multilib)"
    fi
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$out/nt-build
rm -rf "$work"
mkdir -p "$work"

common=(-std=gnu11 -O2 -g -ffreestanding -nostdlib -fno-pic -fno-pie -fno-stack-protector
    -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common -fno-tree-loop-distribute-patterns
    -mgeneral-regs-only -Wall -Wextra -I "$here/include")

# user_image ARCHFLAGS... : compiles the user program and its stubs into
# $work/user.o, every section renamed .user.*, every symbol local but the
# entry points the kernel needs.
user_image() {
    local arch=$1 emulation=elf_x86_64
    shift
    [ "$arch" = x86 ] && emulation=elf_i386
    "$CC" "${common[@]}" "$@" -c "$here/common/workload.c" -o "$work/u_workload.o"
    "$CC" "${common[@]}" "$@" -c "$here/$arch/stubs.S" -o "$work/u_stubs.o"
    local objects=("$work/u_workload.o" "$work/u_stubs.o")
    if [ "$arch" = x64 ]; then
        # The WOW64 process's 32-bit code and its gate (.code32 in an x64 object).
        "$CC" "${common[@]}" "$@" -c "$here/x64/wow64.S" -o "$work/u_wow64.o"
        objects+=("$work/u_wow64.o")
    fi
    "$LD" -m "$emulation" -r -o "$work/user_r.o" "${objects[@]}"
    local undefined
    undefined=$("$NM" -u "$work/user_r.o" || true)
    [ -z "$undefined" ] || die "user image has undefined symbols: $undefined"
    local keep=(-G parent_main -G child_main -G RtlUserThreadStart)
    [ "$arch" = x86 ] && keep+=(-G KiFastSystemCall -G KiFastSystemCallRet)
    [ "$arch" = x64 ] && keep+=(-G wow64_start)
    "$OBJCOPY" --prefix-alloc-sections=.user "${keep[@]}" "$work/user_r.o" "$work/user.o"
}

# multiboot_check ELF: the header must be in the first 8 KiB.
multiboot_check() {
    local offset
    offset=$(od -A d -t x4 -w4 -v -N 8192 "$1" | awk '$2 == "1badb002" && !found { print $1; found = 1 }')
    [ -n "$offset" ] || die "$1: no multiboot header in the first 8 KiB"
}

build_x64() {
    local k=(-m64 -mcmodel=large -mno-red-zone)
    "$CC" "${common[@]}" "${k[@]}" -c "$here/common/kernel.c" -o "$work/k_kernel.o"
    "$CC" "${common[@]}" "${k[@]}" -c "$here/x64/arch.c" -o "$work/k_arch.o"
    "$CC" "${common[@]}" "${k[@]}" -c "$here/x64/entry.S" -o "$work/k_entry.o"
    user_image x64 -m64 -mcmodel=small
    "$LD" -m elf_x86_64 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -T "$here/x64/kernel.ld" \
        -o "$out/nt-x64-kernel.elf" "$work/k_entry.o" "$work/k_kernel.o" "$work/k_arch.o" "$work/user.o"
    "$OBJCOPY" -O binary "$out/nt-x64-kernel.elf" "$work/kernel64.bin"
    "$CC" -m32 -c -DKERNEL_BLOB="\"$work/kernel64.bin\"" "$here/x64/loader.S" -o "$work/loader.o"
    "$LD" -m elf_i386 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -T "$here/x64/loader.ld" \
        -o "$out/nt-x64.elf" "$work/loader.o"
    multiboot_check "$out/nt-x64.elf"
    echo "$prog: built $out/nt-x64.elf" >&2
}

build_x86() {
    local k=(-m32 -march=i686)
    "$CC" "${common[@]}" "${k[@]}" -c "$here/common/kernel.c" -o "$work/k_kernel.o"
    "$CC" "${common[@]}" "${k[@]}" -c "$here/x86/arch.c" -o "$work/k_arch.o"
    "$CC" "${common[@]}" "${k[@]}" -c "$here/x86/entry.S" -o "$work/k_entry.o"
    user_image x86 -m32 -march=i686
    "$LD" -m elf_i386 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments -T "$here/x86/kernel.ld" \
        -o "$out/nt-x86.elf" "$work/k_entry.o" "$work/k_kernel.o" "$work/k_arch.o" "$work/user.o" \
        "$libgcc32"
    multiboot_check "$out/nt-x86.elf"
    echo "$prog: built $out/nt-x86.elf" >&2
}

for f in "${flavours[@]}"; do
    rm -f "$work"/*.o "$work"/*.bin
    "build_$f"
done
rm -rf "$work"
