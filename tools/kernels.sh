# SPDX-License-Identifier: GPL-2.0
# The four test kernels: Debian bookworm's 6.1 and 6.12, amd64 and arm64.
# Sourced by tools/deps.sh, tools/vm/run and the Makefile helpers.

KVMX_KERNELS="6.1 6.12"

# kernel_vars 6.1|6.12: set KREL_BASE (without flavour) and KBUILD_VER
kernel_vars() {
	case "$1" in
	6.1)  KREL_BASE=6.1.0-56;        KBUILD_VER=6.1 ;;
	6.12) KREL_BASE=6.12.117+deb12;  KBUILD_VER=6.12.117+deb12 ;;
	*) echo "unknown kernel '$1' (want 6.1 or 6.12)" >&2; return 1 ;;
	esac
}
