#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything kvmx needs to build, boot and test, from Debian
# packages only. Idempotent: a second run does nothing but check.
#
# Host packages are installed with apt. The four test kernels (images,
# modules, headers) and the arm64 busybox are fetched with apt-get download
# and unpacked into $DEPS (default: .deps in the tree), then their header
# trees are fixed up to work outside /usr/src. The kernel sources
# (kselftest harness, KVM selftest library, checkpatch) are unpacked from
# linux-source-6.1/6.12 into $DEPS/src.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
DEPS=${DEPS:-$top/.deps}
. "$top/tools/kernels.sh"

host_pkgs="qemu-system-x86 qemu-system-arm busybox-static gcc-aarch64-linux-gnu
	libc6-dev-arm64-cross sparse cpio rsync xz-utils bc make gcc libc6-dev
	bison flex libssl-dev dkms
	linux-source-6.1 linux-source-6.12 libelf-dev file dwarves kmod
	clang llvm zlib1g-dev
	bochs bochsbios vgabios bochs-term isolinux syslinux-common xorriso"

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

missing=""
for p in $host_pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$sudo dpkg --add-architecture arm64
	missing="$missing"
	need_update=1
fi
if [ -n "$missing" ] || [ -n "${need_update:-}" ]; then
	echo "deps: apt-get install$missing"
	$sudo apt-get update -q
	[ -z "$missing" ] ||
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends $missing
fi

mkdir -p "$DEPS/debs" "$DEPS/root" "$DEPS/src"

# fetch PKG[:ARCH] into $DEPS/debs and unpack it into $DEPS/root (or DIR), once.
fetch() {
	local pkg=$1 root=${2:-$DEPS/root} stamp="$DEPS/debs/.done-${1//[:\/]/_}"

	[ -e "$stamp" ] && return 0
	echo "deps: fetching $pkg"
	(cd "$DEPS/debs" && rm -f "${pkg%%:*}"_*.deb &&
		apt-get download -q -o APT::Sandbox::User=root "$pkg")
	local deb
	deb=$(ls -t "$DEPS/debs/${pkg%%:*}"_*.deb | head -n1)
	mkdir -p "$root"
	dpkg -x "$deb" "$root"
	touch "$stamp"
}

for kv in $KVMX_DEBIAN_KERNELS; do
	kernel_vars "$kv"
	fetch "linux-kbuild-$KBUILD_VER"
	fetch "linux-headers-$KREL_BASE-common"
	fetch "linux-image-$KREL_BASE-amd64"
	fetch "linux-headers-$KREL_BASE-amd64"
	fetch "linux-image-$KREL_BASE-arm64:arm64"
	fetch "linux-headers-$KREL_BASE-arm64:arm64"
done
fetch busybox-static:arm64
# what libbpf links against, for arm64's static kvmxctl and selftests: a
# root of their own, searched by the cross compiler only
fetch libelf-dev:arm64 "$DEPS/arm64-libs"
fetch zlib1g-dev:arm64 "$DEPS/arm64-libs"

# modules.dep is made by depmod when a kernel package is installed; make it
# for the unpacked ones.
for kv in $KVMX_DEBIAN_KERNELS; do
	kernel_vars "$kv"
	for flavour in amd64 arm64; do
		[ -e "$DEPS/root/lib/modules/$KREL_BASE-$flavour/modules.dep" ] ||
			/sbin/depmod -b "$DEPS/root" "$KREL_BASE-$flavour"
	done
done

# Debian's header Makefile includes its -common tree by absolute path;
# point it at the unpacked copy instead.
for mk in "$DEPS"/root/usr/src/linux-headers-*-{amd64,arm64}/Makefile; do
	sed -i "s|^include /usr/src/|include $DEPS/root/usr/src/|" "$mk"
done

# Kernel sources: only the parts the build uses. Bump the stamp when the
# selection changes.
src_stamp=.done-2
for kv in $KVMX_DEBIAN_KERNELS; do
	kernel_vars "$kv"
	dst="$DEPS/src/linux-$kv"
	[ -e "$dst/$src_stamp" ] && continue
	echo "deps: unpacking linux-source-$kv"
	rm -rf "$dst" && mkdir -p "$dst"
	tar -xaf "/usr/src/linux-source-$kv.tar.xz" -C "$dst" --strip-components=1 \
		--wildcards --no-wildcards-match-slash \
		'*/Makefile' '*/scripts' '*/include' '*/arch/x86' '*/arch/arm64' \
		'*/tools' '*/virt' '*/lib/rbtree.c' '*/COPYING' '*/Kbuild' '*/Kconfig'
	touch "$dst/$src_stamp"
done
# sparse that can check 7.2 (tools/kernels.sh), built from Debian sid's
# source package into $KVMX_CACHE, once per machine. The Makefile's sparse
# target uses it where it is there.
sparse_dir=$KVMX_CACHE/sparse-$SPARSE_DEB_VERSION
if [ ! -x "$sparse_dir/sparse" ]; then
	echo "deps: building sparse $SPARSE_DEB_VERSION from Debian sid's source"
	work=$KVMX_CACHE/sparse-build
	rm -rf "$work" && mkdir -p "$work" "$sparse_dir"
	sid_apt update > "$work/update.log" 2>&1 || { cat "$work/update.log" >&2; exit 1; }
	(cd "$work" && sid_apt source --download-only "sparse=$SPARSE_DEB_VERSION") > "$work/get.log" 2>&1 ||
		{ cat "$work/get.log" >&2; exit 1; }
	tar -xzf "$work"/sparse_*.orig.tar.gz -C "$work"
	make -s -C "$work"/sparse-*/ -j"$(nproc)" sparse > "$work/build.log" 2>&1 ||
		{ tail -n 20 "$work/build.log" >&2; exit 1; }
	cp "$work"/sparse-*/sparse "$sparse_dir/sparse"
	rm -rf "$work"
fi
echo "deps: ok ($DEPS)"
