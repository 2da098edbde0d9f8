#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/kernel-build.sh [--dir] VERSION ARCH: build a test kernel kvmx does
# not get from Debian as a binary (today 7.2, from Debian sid's
# linux-source-7.2), once per machine, and print the directory it is in.
# With --dir, only print where it is (or would be): exit status 1 if it has
# not been built.
#
# The kernel is allnoconfig plus tools/kconfig/{common,ARCH}.config: what
# QEMU, KVM, kvmx and the selftests need, and the bug finders (KASAN,
# lockdep, kmemleak, KFENCE, UBSAN, list and object debugging). Every line
# of the fragments must survive olddefconfig exactly, or the build stops
# and names the line.
#
# The result lives outside the clone, in $KVMX_CACHE (default
# ~/.cache/kvmx), in a directory named by the source package's version and
# a hash of the fragments and of $build_rev (bump it when a change here
# changes what is built), so a fresh clone on the same machine (CI) reuses
# it and a changed fragment builds a new one:
#   $dir/build         the O= build tree: KDIR for kvmx (Module.symvers,
#                      .config, generated headers), and the kernel image
#   $dir/root          modules_install's output (lib/modules/REL/...)
#   $dir/image         the image QEMU boots (bzImage or Image)
#   $dir/release       the kernel release (uname -r)
#   $dir/build-seconds how long the build took
# A successful build removes the builds of the same version and arch with
# another configuration. Concurrent builds wait for each other (flock).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tools/kernels.sh"
only_dir=0
[ "${1:-}" = --dir ] && { only_dir=1; shift; }
version=${1:?usage: kernel-build.sh [--dir] VERSION ARCH}
arch=${2:?usage: kernel-build.sh [--dir] VERSION ARCH}
kernel_src_vars "$version"
case "$arch" in
x86_64) karch=x86 image=arch/x86/boot/bzImage cross="" ;;
arm64) karch=arm64 image=arch/arm64/boot/Image cross=aarch64-linux-gnu- ;;
*) echo "kernel-build: unknown arch '$arch'" >&2; exit 2 ;;
esac
cache=$KVMX_CACHE
frags=("$top/tools/kconfig/common.config" "$top/tools/kconfig/$arch.config")
build_rev=1
key=$( (cat "${frags[@]}"; echo "$build_rev") | sha256sum | cut -c1-12)
dir=$cache/linux-$KSRC_DEB_VERSION-$arch-$key
log() { echo "kernel-build: $*" >&2; }
if [ "$only_dir" = 1 ]; then
	echo "$dir"
	[ -e "$dir/.done" ]
	exit
fi

mkdir -p "$cache"
exec 9> "$cache/.lock-$version"
flock 9

if [ -e "$dir/.done" ]; then
	echo "$dir"
	exit 0
fi

# -- the source, from Debian sid, without touching the system's apt ----
src=$cache/src-$KSRC_DEB_VERSION
if [ ! -e "$src/.done" ]; then
	debs=$cache/debs
	log "fetching $KSRC_DEB=$KSRC_DEB_VERSION from Debian sid"
	sid_apt update > "$cache/apt-update.log" 2>&1 ||
		{ cat "$cache/apt-update.log" >&2; exit 1; }
	rm -rf "$debs" && mkdir -p "$debs"
	(cd "$debs" && sid_apt download "$KSRC_DEB=$KSRC_DEB_VERSION") >&2 ||
		{ log "$KSRC_DEB $KSRC_DEB_VERSION is not in sid (any more?): set KSRC_DEB_VERSION in tools/kernels.sh to one that is"; exit 1; }
	rm -rf "$src" "$src.deb" && mkdir -p "$src" "$src.deb"
	dpkg -x "$debs/${KSRC_DEB}_${KSRC_DEB_VERSION}_all.deb" "$src.deb"
	log "unpacking the source"
	tar -xaf "$src.deb/usr/src/$KSRC_DEB.tar.xz" -C "$src" --strip-components=1
	rm -rf "$src.deb" "$debs"
	touch "$src/.done"
fi

# -- configure: allnoconfig + the fragments, checked ------------------
start=$(date +%s)
rm -rf "$dir" && mkdir -p "$dir/build"
cat "${frags[@]}" > "$dir/fragment.config"
kmake=(make -C "$src" O="$dir/build" ARCH="$karch" ${cross:+CROSS_COMPILE=$cross}
       -j"$(nproc)")
"${kmake[@]}" -s KCONFIG_ALLCONFIG="$dir/fragment.config" allnoconfig >&2
bad=0
while read -r line; do
	grep -qxF -- "$line" "$dir/build/.config" && continue
	opt=${line#\# }
	opt=${opt%%[= ]*}
	log "fragment line '$line' did not survive; .config has:" \
		"$(grep -E "^(# )?$opt[= ]" "$dir/build/.config" || echo nothing)"
	bad=1
done < <(grep -E '^(CONFIG_[A-Z0-9_]+=.*|# CONFIG_[A-Z0-9_]+ is not set)$' "$dir/fragment.config")
[ "$bad" = 0 ] || { log "fix tools/kconfig/ (a dependency is missing)"; exit 1; }

# -- build ------------------------------------------------------------
log "building $version for $arch in $dir (log: $dir/build.log)"
if ! "${kmake[@]}" > "$dir/build.log" 2>&1; then
	tail -n 30 "$dir/build.log" >&2
	log "build failed"
	exit 1
fi
"${kmake[@]}" -s INSTALL_MOD_PATH="$dir/root" modules_install >> "$dir/build.log" 2>&1
cp "$dir/build/$image" "$dir/image"
"${kmake[@]}" -s kernelrelease > "$dir/release"
echo $(($(date +%s) - start)) > "$dir/build-seconds"
log "$version $arch built in $(cat "$dir/build-seconds") s"
touch "$dir/.done"
# builds of this version and arch with another configuration: stale
for old in "$cache"/linux-"$KSRC_DEB_VERSION"-"$arch"-*; do
	[ "$old" = "$dir" ] || rm -rf "$old"
done
echo "$dir"
