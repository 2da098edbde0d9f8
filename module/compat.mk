# SPDX-License-Identifier: GPL-2.0
# Feature tests for module/compat.h, run by kbuild against the headers of
# the kernel being built for: each adds -DKVMX_HAVE_<feature> when present.

kvmx-have = $(shell grep -qsE '$(2)' $(srctree)/$(1) && echo -DKVMX_HAVE_$(3))
