# SPDX-License-Identifier: GPL-2.0
# The test kernels: Debian bookworm's 6.1 and 6.12 (binary packages,
# amd64 and arm64), and 7.2, built here from Debian sid's linux-source-7.2
# with the kernel's bug finders (tools/kernel-build.sh).
# Sourced by tools/deps.sh, tools/vm/run and the Makefile helpers.

KVMX_KERNELS="6.1 6.12 7.2"
# the ones Debian ships as binaries (tools/deps.sh fetches them)
KVMX_DEBIAN_KERNELS="6.1 6.12"

# kernel_vars 6.1|6.12: set KREL_BASE (without flavour) and KBUILD_VER
kernel_vars() {
	case "$1" in
	6.1)  KREL_BASE=6.1.0-56;        KBUILD_VER=6.1 ;;
	6.12) KREL_BASE=6.12.117+deb12;  KBUILD_VER=6.12.117+deb12 ;;
	*) echo "unknown Debian kernel '$1' (want 6.1 or 6.12)" >&2; return 1 ;;
	esac
}

# kernel_is_built VERSION: built here (tools/kernel-build.sh), not Debian's
kernel_is_built() {
	case "$1" in
	7.2) return 0 ;;
	*) return 1 ;;
	esac
}

# kernel_paths VERSION ARCH: where a test kernel's parts are (TOP and DEPS
# set): KIMAGE (what the emulator boots), KMODDIR (its modules, with
# modules.dep), KCONFIG (its .config) and KDIR (what modules build against).
# Status 1 if it is not there (not fetched, not built); the paths are set
# anyway, to where it would be.
kernel_paths() {
	local flavour=$2 d st=0
	[ "$2" = x86_64 ] && flavour=amd64
	if kernel_is_built "$1"; then
		d=$("$TOP/tools/kernel-build.sh" --dir "$1" "$2") || st=1
		KIMAGE=$d/image KCONFIG=$d/build/.config KDIR=$d/build
		KMODDIR=$d/root/lib/modules/$(cat "$d/release" 2>/dev/null)
		return $st
	else
		kernel_vars "$1" || return 1
		local krel=$KREL_BASE-$flavour
		KIMAGE=$DEPS/root/boot/vmlinuz-$krel KCONFIG=$DEPS/root/boot/config-$krel
		KDIR=$DEPS/root/usr/src/linux-headers-$krel KMODDIR=$DEPS/root/lib/modules/$krel
		[ -e "$KIMAGE" ]
	fi
}

# Where what is built once per machine lives, outside any clone.
KVMX_CACHE=${KVMX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kvmx}
# sparse from Debian sid's source package: 7.2's headers need one that
# knows __typeof_unqual__ (bookworm's 0.6.4 does not; kbuild then skips the
# check with a warning)
SPARSE_DEB_VERSION=0.6.5~rc1-2

# sid_apt APT-GET-ARGS...: apt-get against Debian sid (binary and source
# packages) with a private state in $KVMX_CACHE/apt, so that the system's
# apt configuration is not touched; the mirror is the one this machine's
# own sources use.
sid_apt() {
	local apt_dir=$KVMX_CACHE/apt mirror
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -nE 's@^(URIs:|deb( \[[^]]*\])?) *(https?://[^ ]*/debian)/? *.*@\3@p' |
		head -n1 || :)
	mirror=${mirror:-http://deb.debian.org/debian}
	printf 'deb [trusted=yes] %s sid main\ndeb-src [trusted=yes] %s sid main\n' \
		"$mirror" "$mirror" > "$apt_dir/sources.list"
	apt-get -q -o "Dir::Etc::SourceList=$apt_dir/sources.list" \
		-o Dir::Etc::SourceParts=/dev/null -o "Dir::State::Lists=$apt_dir/lists" \
		-o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root "$@"
}

# kernel_src_vars 7.2: the source package a built kernel comes from
kernel_src_vars() {
	case "$1" in
	7.2) KSRC_DEB=linux-source-7.2 KSRC_DEB_VERSION=7.2.13-1 ;;
	*) echo "no source package for kernel '$1' (want 7.2)" >&2; return 1 ;;
	esac
}
