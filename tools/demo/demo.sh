#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM for `make demo`: kvmx is loaded; show it at work.
set -e
echo "== kernel $(uname -r) $(uname -m)"
grep -E '^(kvmx|kvm|kvm_amd) ' /proc/modules | cut -d' ' -f1,3 | sed 's/^/module /'
echo "== kvmxctl version"
kvmxctl version
echo "== a guest with a kvmx session attached"
/selftests/kvmx_demo
