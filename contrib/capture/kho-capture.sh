#!/bin/sh
# kho-capture.sh: capture a KHO handover as `kholedger import --debugfs` reads it.
#
#   kho-capture.sh debugfs [--finalize] DIR   copy /sys/kernel/debug/kho to DIR/kho (as root, on the kernel to capture)
#   kho-capture.sh qemu SOCKET DIR            dump a QEMU guest's memory to DIR/memory.elf through its HMP monitor socket
#   kho-capture.sh vmcore DIR                 copy /proc/vmcore to DIR/vmcore (in the kdump kernel, after a crash)
#
# Then: kholedger import --debugfs DIR/kho --image DIR/memory.elf (or DIR/vmcore).
# KHO_DEBUGFS and KHO_VMCORE override the source paths. See README.md beside this script.

set -eu

debugfs_root=${KHO_DEBUGFS:-/sys/kernel/debug/kho}
vmcore=${KHO_VMCORE:-/proc/vmcore}

usage() {
    sed -n '4,6s/^#   //p' "$0" >&2
    exit 2
}

fail() {
    printf 'kho-capture: %s\n' "$*" >&2
    exit 1
}

# copy_file SOURCE TARGET: debugfs reports size 0 for the generated files, so read them, never stat them.
copy_file() {
    cat -- "$1" > "$2" || fail "cannot read $1"
}

capture_debugfs() {
    finalize=no
    if [ "${1:-}" = "--finalize" ]; then
        finalize=yes
        shift
    fi
    [ $# -eq 1 ] || usage
    target=$1/kho
    [ -d "$debugfs_root" ] || fail "$debugfs_root is not a folder: mount debugfs (mount -t debugfs none /sys/kernel/debug) on a kernel with KHO"
    [ ! -e "$target" ] || fail "$target exists already: give a new folder"
    if [ "$finalize" = yes ] && [ -e "$debugfs_root/out/finalize" ]; then
        # 6.16 - 7.0: the tracker is serialized (and, up to 6.18, out/fdt made) only when finalized.
        if [ "$(cat "$debugfs_root/out/finalize")" != 1 ]; then
            echo 1 > "$debugfs_root/out/finalize" || fail "cannot finalize: writing 1 to $debugfs_root/out/finalize failed"
        fi
    fi
    found=no
    for side in out in; do
        source=$debugfs_root/$side
        [ -d "$source" ] || continue
        found=yes
        mkdir -p "$target/$side/sub_fdts"
        for file in "$source"/*; do
            [ -f "$file" ] || continue
            copy_file "$file" "$target/$side/${file##*/}"
        done
        for file in "$source"/sub_fdts/*; do
            [ -f "$file" ] || continue
            copy_file "$file" "$target/$side/sub_fdts/${file##*/}"
        done
    done
    [ "$found" = yes ] || fail "$debugfs_root holds neither out/ nor in/"
    printf '%s\n' "$target"
}

# hmp SOCKET COMMAND: one monitor command, its output on stdout.
hmp() {
    if command -v socat > /dev/null 2>&1; then
        printf '%s\n' "$2" | socat -t 2 - "UNIX-CONNECT:$1"
    elif command -v nc > /dev/null 2>&1; then
        printf '%s\n' "$2" | nc -q 2 -U "$1"
    else
        fail "neither socat nor nc is installed: talk to the monitor socket $1 by hand (see README.md)"
    fi
}

capture_qemu() {
    [ $# -eq 2 ] || usage
    socket=$1
    [ -S "$socket" ] || fail "$socket is not a socket: start QEMU with -monitor unix:$socket,server,nowait"
    mkdir -p "$2"
    image=$(cd "$2" && pwd)/memory.elf
    [ ! -e "$image" ] || fail "$image exists already"
    # -d: detached, so that the dump's end can be waited for with "info dump". The guest is stopped while it runs.
    hmp "$socket" "dump-guest-memory -d $image" > /dev/null
    while :; do
        status=$(hmp "$socket" "info dump" | sed -n 's/^Status: *\([a-z-]*\).*/\1/p' | tail -n 1)
        case $status in
            completed) break ;;
            failed) fail "QEMU could not write $image (info dump says failed)" ;;
            *) sleep 1 ;;
        esac
    done
    printf '%s\n' "$image"
}

capture_vmcore() {
    [ $# -eq 1 ] || usage
    [ -r "$vmcore" ] || fail "$vmcore is not readable: run this in the kdump kernel, as root"
    mkdir -p "$1"
    [ ! -e "$1/vmcore" ] || fail "$1/vmcore exists already"
    copy_file "$vmcore" "$1/vmcore"
    printf '%s\n' "$1/vmcore"
}

[ $# -ge 1 ] || usage
command=$1
shift
case $command in
    debugfs) capture_debugfs "$@" ;;
    qemu) capture_qemu "$@" ;;
    vmcore) capture_vmcore "$@" ;;
    *) usage ;;
esac
