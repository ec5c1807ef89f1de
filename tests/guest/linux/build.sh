#!/usr/bin/env bash
# build.sh OUTDIR: builds the vmscope Linux test guest into OUTDIR:
#   vmlinuz              Debian's bookworm kernel (linux-image-amd64, 6.1)
#   vmlinux              the same kernel decompressed (ELF): boots ~3 s faster
#                        under TCG (run.sh with VMSCOPE_KERNEL=vmlinux)
#   initramfs.cpio.gz    busybox-static, /init, the test programs (and strace)
#   kernel-config        the kernel's build configuration, for reference
#   programs/            the test programs as built, with their symbols
#   guest-info.txt       what went into the guest (package versions)
# Needs what .ci/install-deps installs (busybox-static, gcc-multilib, cpio)
# and apt's package lists.  The kernel .deb is downloaded once with
# `apt-get download` into ${VMSCOPE_CACHE:-~/.cache/vmscope} and only
# unpacked, never installed.  Environment overrides:
#   VMSCOPE_CACHE        cache directory
#   VMSCOPE_KERNEL_DEB   use this kernel .deb instead of resolving one
#   VMSCOPE_BUSYBOX      a static busybox other than /bin/busybox
#   CC                   compiler (default gcc; must support -m32 -static)
set -euo pipefail

prog=build.sh
die() { echo "$prog: error: $*" >&2; exit 1; }
note() { echo "$prog: $*" >&2; }

if [ $# -ne 1 ] || [ -z "$1" ] || [ "${1#-}" != "$1" ]; then
    echo "usage: $prog OUTDIR" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
cache=${VMSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmscope}
cc=${CC:-gcc}
busybox=${VMSCOPE_BUSYBOX:-/bin/busybox}
hint="(run .ci/install-deps on Debian bookworm)"

for tool in "$cc" cpio gzip xz dpkg-deb dpkg apt-cache apt-get readelf tar; do
    command -v "$tool" >/dev/null || die "'$tool' not found $hint"
done
[ -x "$busybox" ] || die "$busybox not found: install busybox-static $hint"
if readelf -l "$busybox" | grep 'Requesting program interpreter' >/dev/null; then
    die "$busybox is dynamically linked: install busybox-static, not busybox $hint"
fi

mkdir -p "$out" "$cache/debs" "$cache/kernels"
out=$(cd "$out" && pwd)
# Work in temporary directories, removed however the script ends; results
# are moved into place only at the end.
temps=()
trap 'rm -rf "${temps[@]}"' EXIT
stage=$(mktemp -d "$out/.build.XXXXXX")
temps+=("$stage")

# --- kernel ------------------------------------------------------------------
# The newest linux-image-amd64 of bookworm or bookworm-security (never
# backports, whose 6.12 is not the kernel the project measured), then the
# versioned package it depends on, e.g. linux-image-6.1.0-56-amd64.
resolve_kernel_package() {
    local best="" ver
    while read -r ver; do
        if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$best"; then best=$ver; fi
    done < <(apt-cache madison linux-image-amd64 2>/dev/null |
        awk -F'|' '$3 !~ /backports/ { gsub(/ /, "", $2); print $2 }')
    [ -n "$best" ] || return 1
    apt-cache depends "linux-image-amd64=$best" 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ && !found++ { print $2 }'
}

newest_cached_deb() { # [PACKAGE]: newest cached .deb of PACKAGE (default any kernel)
    local pattern=${1:-linux-image-*-amd64}
    find "$cache/debs" -maxdepth 1 -name "${pattern}_*_amd64.deb" -printf '%f\n' |
        sort -V | tail -n 1 | sed "s|^|$cache/debs/|"
}

if [ -n "${VMSCOPE_KERNEL_DEB:-}" ]; then
    deb=$VMSCOPE_KERNEL_DEB
    [ -f "$deb" ] || die "VMSCOPE_KERNEL_DEB=$deb does not exist"
elif pkg=$(resolve_kernel_package) && [ -n "$pkg" ]; then
    deb=$(newest_cached_deb "$pkg")
    if [ -z "$deb" ]; then
        note "downloading $pkg into $cache/debs"
        dl=$(mktemp -d "$cache/debs/.download.XXXXXX")
        temps+=("$dl")
        sandbox=()
        # apt's _apt user cannot enter root's home: download as root instead.
        if [ "$(id -u)" -eq 0 ]; then sandbox=(-o APT::Sandbox::User=root); fi
        if ! (cd "$dl" && apt-get download -q "${sandbox[@]}" "$pkg" >&2); then
            die "apt-get download $pkg failed (network? stale lists: apt-get update)"
        fi
        mv -f "$dl"/*.deb "$cache/debs/"
        deb=$(newest_cached_deb "$pkg")
    fi
else
    deb=$(newest_cached_deb)
    [ -n "$deb" ] || die "cannot resolve linux-image-amd64 from bookworm/bookworm-security: run apt-get update $hint"
    note "apt cannot resolve linux-image-amd64; using the cached $(basename "$deb")"
fi
[ -n "$deb" ] && [ -f "$deb" ] || die "no kernel .deb found"
kpkg=$(dpkg-deb -f "$deb" Package) || die "$deb is not a valid .deb (delete it and rerun)"
kdebver=$(dpkg-deb -f "$deb" Version)

# Unpack only /boot from the package (its modules are not needed: everything
# the guest uses, serial console, initramfs, devtmpfs, ACPI power-off and
# IA32 emulation, is built in).  Cached per .deb.
kcache="$cache/kernels/$(basename "$deb" .deb)"
if [ ! -f "$kcache/vmlinuz" ] || [ ! -f "$kcache/vmlinux" ] || [ ! -f "$kcache/config" ]; then
    note "unpacking the kernel from $(basename "$deb")"
    ktmp=$(mktemp -d "$cache/kernels/.unpack.XXXXXX")
    temps+=("$ktmp")
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$ktmp" --wildcards './boot/*' ||
        die "could not unpack /boot from $deb"
    set -- "$ktmp"/boot/vmlinuz-*
    [ $# -eq 1 ] && [ -f "$1" ] || die "$deb holds no single /boot/vmlinuz-*"
    kver=${1##*/vmlinuz-}
    # The ELF kernel inside the bzImage: QEMU boots it through its PVH entry
    # point, which skips the xz decompression that takes seconds under TCG.
    # Found by the xz magic; --single-stream ignores what follows the stream.
    offset=$( (LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$1" || true) | cut -d: -f1 | sed -n 1p)
    [ -n "$offset" ] || die "no xz-compressed kernel found in $1"
    tail -c "+$((offset + 1))" "$1" >"$ktmp/vmlinux.xz"
    xz -dc --single-stream "$ktmp/vmlinux.xz" >"$ktmp/vmlinux" ||
        die "could not decompress the kernel in $1"
    [ "$(head -c 4 "$ktmp/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] ||
        die "the kernel decompressed from $1 is not ELF"
    mkdir -p "$kcache"
    cp "$ktmp/boot/config-$kver" "$kcache/config"
    echo "$kver" >"$kcache/release"
    mv -f "$ktmp/vmlinux" "$kcache/vmlinux"
    mv -f "$1" "$kcache/vmlinuz"
fi
kver=$(cat "$kcache/release")
cp "$kcache/vmlinuz" "$stage/vmlinuz"
cp "$kcache/vmlinux" "$stage/vmlinux"
cp "$kcache/config" "$stage/kernel-config"
for opt in CONFIG_SERIAL_8250_CONSOLE CONFIG_DEVTMPFS CONFIG_BLK_DEV_INITRD CONFIG_RD_GZIP \
    CONFIG_IA32_EMULATION CONFIG_BINFMT_SCRIPT CONFIG_ACPI; do
    grep -qx "$opt=y" "$stage/kernel-config" || die "kernel $kver lacks built-in $opt"
done

# --- test programs -----------------------------------------------------------
# Static, so the guest needs no libraries; 64-bit and 32-bit (gcc-multilib).
src="$here/programs"
mkdir -p "$stage/programs"
build() { # OUTPUT SOURCE EXTRA-FLAGS...
    local output=$1 source=$2
    shift 2
    "$cc" -O2 -Wall -Wextra -static "$@" -o "$stage/programs/$output" "$src/$source" ||
        die "compiling $source ($*) failed $hint"
}
build vmscope-basic basic.c -pthread
build vmscope-child child.c
build vmscope-loop loop.c
build vmscope-hostile hostile.c
build vmscope-hostile32 hostile.c -m32
build vmscope-stress stress.c -pthread
build vmscope-restart restart.c
build vmscope-i386 basic.c -m32 -pthread
build vmscope-child32 child.c -m32

# --- initramfs ---------------------------------------------------------------
root="$stage/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,etc,root}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
"$busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] || ln -sf /bin/busybox "$root/$applet"
done
install -m 0755 "$here/init" "$root/init"
cp "$stage"/programs/vmscope-* "$root/bin/"

# The kernel opens /dev/console for init before /init can mount devtmpfs;
# making the node needs root (init copes without it, see init).
if ! mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null; then
    note "not root: /dev/console left out of the archive (init reopens it after mounting devtmpfs)"
fi

# strace (dynamically linked in Debian), with the libraries it loads, so a
# workload can be run under it and compared with the analyzer.
strace_version="not included"
if strace=$(command -v strace); then
    cp -L "$strace" "$root/bin/strace"
    ldd "$strace" | awk '/=> \// { print $3 } /^\t\// { print $1 }' | while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    strace_version=$(dpkg-query -W -f '${Version}' strace 2>/dev/null || echo unknown)
else
    note "strace not found: the strace-* workloads will not work (apt-get install strace)"
fi

# A reproducible archive: fixed owner and times, sorted names, no gzip name/time.
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
    cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -9 -n >"$stage/initramfs.cpio.gz"

busybox_version=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || echo unknown)
cat >"$stage/guest-info.txt" <<INFO
kernel package: $kpkg $kdebver
kernel release: $kver
busybox-static: $busybox_version
strace: $strace_version
compiler: $("$cc" --version | head -n 1)
INFO

# --- publish -----------------------------------------------------------------
rm -rf "$out/programs"
mv -f "$stage/programs" "$out/programs"
for f in vmlinuz vmlinux initramfs.cpio.gz kernel-config guest-info.txt; do
    mv -f "$stage/$f" "$out/$f"
done
note "built the guest in $out (kernel $kver from $kpkg $kdebver)"
