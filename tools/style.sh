#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch --strict (from the kernel source unpacked by tools/deps.sh) on
# every kvmx source file, as TAP: one result per file; and no two module
# files that call each other (tools/callgraph.py).
set -uo pipefail
checkpatch=${1:?usage: style.sh PATH/TO/checkpatch.pl}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

kernel=$(git ls-files -- 'module/*.[ch]' 'uapi/*.h')
# Userspace code uses the C99 types the KVM selftest library uses, and has
# no <linux/compiler_attributes.h> (__printf).
user=$(git ls-files -- 'tools/*.[ch]' 'selftests/*.[ch]' | tr '\n' ' ')
status=0
for f in $kernel $user; do
	ignore=FILE_PATH_CHANGES
	case " $user " in
	*" $f "*) ignore=$ignore,PREFER_KERNEL_TYPES,PREFER_DEFINED_ATTRIBUTE_MACRO ;;
	esac
	out=$(perl "$checkpatch" --strict --no-tree --terse --show-types \
		--ignore "$ignore" -f "$f" 2>&1)
	if [ -z "$out" ] || echo "$out" | grep -q '^total: 0 errors, 0 warnings, 0 checks'; then
		echo "ok - checkpatch --strict $f"
	else
		echo "$out" | grep -v '^total:' | sed 's/^/# /'
		echo "not ok - checkpatch --strict $f"
		status=1
	fi
done
if out=$(tools/callgraph.py --check); then
	echo "ok - module files call each other in no circle (tools/callgraph.py)"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok - module files call each other in no circle (tools/callgraph.py)"
	status=1
fi
exit $status
