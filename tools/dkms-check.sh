#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/dkms-check.sh: prove that Debian's dkms builds kvmx from what `make
# dkms-install` puts in /usr/src, against each test kernel's headers (both
# arches; arm64 cross-compiled), as TAP. DKMS's trees are private, under
# build/dkms: nothing on the system is touched and no root is needed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
TOP=$top DEPS=${DEPS:-$top/.deps}
. "$top/tools/kernels.sh"
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
d=$top/build/dkms
rm -rf "$d" && mkdir -p "$d/src/kvmx-$version" "$d/tree" "$d/install"
cp -r "$top"/{Kbuild,dkms.conf,module,uapi} "$d/src/kvmx-$version/"
dkms=(dkms --dkmstree "$d/tree" --sourcetree "$d/src" --installtree "$d/install")

n=0 fails=0
result() { # OK DESC
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fails=$((fails + 1)); fi
}

echo "TAP version 13"
"${dkms[@]}" add -m kvmx -v "$version" > "$d/add.log" 2>&1
result $? "dkms add kvmx/$version"
for kv in $KVMX_KERNELS; do
	for arch in x86_64 arm64; do
		kernel_paths "$kv" "$arch" || { result 1 "dkms build $kv $arch: no kernel"; continue; }
		env=() darch=$arch
		if [ "$arch" = arm64 ]; then
			env=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) darch=aarch64
		fi
		# the release modules are built for (Debian's 6.1 headers say 6.1.192
		# in kernel.release, 6.1.0-56-amd64 here, and in vermagic)
		krel=$(sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' "$KDIR/include/generated/utsrelease.h")
		log=$d/build-$arch-$kv.log
		env "${env[@]}" "${dkms[@]}" build -m kvmx -v "$version" -k "$krel" -a "$darch" \
			--kernelsourcedir "$KDIR" > "$log" 2>&1
		ko=$d/tree/kvmx/$version/$krel/$darch/module/kvmx.ko
		# the module, for that kernel and arch
		[ -e "$ko" ] && modinfo -F vermagic "$ko" | grep -q "^$krel " &&
			file "$ko" | grep -q "$([ "$arch" = arm64 ] && echo aarch64 || echo x86-64)"
		rc=$?
		[ $rc = 0 ] || sed 's/^/# /' "$log" | tail -n 20
		result $rc "dkms build kvmx/$version for $krel ($arch)"
	done
done

# what an operator's build says when it cannot work (Makefile, Kbuild)
refused() { # DESC PATTERN MAKE-ARGS...
	local desc=$1 pat=$2 out
	shift 2
	# -B: a module built earlier must not make it skip the check
	out=$(make -B -C "$top" module "$@" 2>&1)
	local rc=$?
	[ $rc != 0 ] && grep -q -- "$pat" <<< "$out"
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' <<< "$out" | tail -n 5
	result $rc "$desc"
}
refused "make module without a kernel build tree says what to install" \
	"apt install linux-headers-$(uname -r)" KDIR=/nonexistent
refused "a kernel older than 6.1 is refused at build time, with the reason" \
	"Linux 5.15 is not supported: kvmx needs 6.1 or later" KERNEL=6.1 ARCH=x86_64 \
	VERSION=5 PATCHLEVEL=15
refused "a kernel without KVM is refused at build time, with the reason" \
	"this kernel has no KVM" KERNEL=6.1 ARCH=x86_64 CONFIG_KVM=
echo "1..$n"
[ $fails = 0 ]
