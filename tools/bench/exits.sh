#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (make bench): the cost of an exit-heavy guest loop
#   not_loaded  kvmx not loaded
#   loaded      kvmx loaded, no session at all (no probes registered)
#   other_vm    another VM attached: probes on, this VM pays the lookup
#   attached    this VM attached: every exit classified, counted, timed
# The modes alternate REPS times in one boot; each result is the median of
# the per-run medians, with the lowest and highest run beside it so the
# noise is visible. Prints one JSON line per mode with its ratio to
# not_loaded.
set -e
REPS=${REPS:-9}
ROUNDS=${ROUNDS:-7}
EXITS=${EXITS:-2000}
KO=/kvmx/kvmx.ko
cd /tmp
: > results
i=0
while [ $i -lt $REPS ]; do
	rmmod kvmx
	/selftests/kvmx_bench plain "$ROUNDS" "$EXITS" | sed 's/"plain"/"not_loaded"/' >> results
	insmod $KO
	/selftests/kvmx_bench plain "$ROUNDS" "$EXITS" | sed 's/"plain"/"loaded"/' >> results
	/selftests/kvmx_bench other "$ROUNDS" "$EXITS" | sed 's/"other"/"other_vm"/' >> results
	/selftests/kvmx_bench attached "$ROUNDS" "$EXITS" >> results
	i=$((i + 1))
done
# stat MODE: "median min max" of the mode's per-run results
stat() {
	grep "\"mode\":\"$1\"" results | sed 's/.*"ns_per_exit":\([0-9.]*\).*/\1/' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'
}
base=$(stat not_loaded | cut -d' ' -f1)
for m in not_loaded loaded other_vm attached; do
	set -- $(stat $m)
	echo "{\"bench\":\"exit_overhead\",\"arch\":\"$(uname -m)\",\"kernel\":\"$(uname -r)\",\"mode\":\"$m\",\"ns_per_exit\":$1,\"ratio_to_not_loaded\":$(echo "$1 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"run_min_ratio\":$(echo "$2 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"run_max_ratio\":$(echo "$3 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"runs\":$REPS}"
done
