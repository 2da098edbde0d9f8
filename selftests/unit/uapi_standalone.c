// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled alone with -std=c99 -pedantic -Wpadded -Werror: linux/kvmx.h
 * needs no other include first and no structure in it has implicit padding.
 */
#include <linux/kvmx.h>

struct kvmx_attach_vm kvmx_standalone_attach;
struct kvmx_session_info kvmx_standalone_info;
