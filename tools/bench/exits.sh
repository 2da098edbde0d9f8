#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs in the test VM (make bench): the cost of an exit-heavy guest loop
#   not_loaded  kvmx not loaded
#   loaded      kvmx loaded, no session at all (no probes registered)
#   other_vm    another VM attached: probes on, this VM pays the lookup
#   attached    this VM attached: every exit classified, counted, timed
# per exit kind of KINDS (selftests/kvmx_bench.c: cpuid, pio, mmio,
# mmio_fast, mmio_vmm). The modes alternate REPS times in one boot; each
# result is the median of the per-run medians, with the lowest and highest
# run beside it so the noise is visible. Prints one JSON line per kind and
# mode: ns and guest ticks per exit (TSC; under Bochs an exact instruction
# count), their ratio to not_loaded and the ticks added.
set -e
REPS=${REPS:-9}
ROUNDS=${ROUNDS:-7}
EXITS=${EXITS:-2000}
KINDS=${KINDS:-cpuid}
KO=/kvmx/kvmx.ko
cd /tmp
: > results
i=0
while [ $i -lt $REPS ]; do
	for k in $KINDS; do
		rmmod kvmx
		/selftests/kvmx_bench plain "$ROUNDS" "$EXITS" $k |
			sed 's/"plain"/"not_loaded"/' >> results
		insmod $KO
		/selftests/kvmx_bench plain "$ROUNDS" "$EXITS" $k |
			sed 's/"plain"/"loaded"/' >> results
		/selftests/kvmx_bench other "$ROUNDS" "$EXITS" $k |
			sed 's/"other"/"other_vm"/' >> results
		/selftests/kvmx_bench attached "$ROUNDS" "$EXITS" $k >> results
	done
	i=$((i + 1))
done
# stat KIND MODE FIELD: "median min max" of the per-run results
stat() {
	grep "\"mode\":\"$2\"" results | grep "\"kind\":\"$1\"" |
		sed "s/.*\"$3\":\([0-9.]*\).*/\1/" | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], v[NR] }'
}
for k in $KINDS; do
	base=$(stat $k not_loaded ns_per_exit | cut -d' ' -f1)
	tbase=$(stat $k not_loaded ticks_per_exit | cut -d' ' -f1)
	for m in not_loaded loaded other_vm attached; do
		set -- $(stat $k $m ns_per_exit)
		t=$(stat $k $m ticks_per_exit | cut -d' ' -f1)
		echo "{\"bench\":\"exit_overhead\",\"arch\":\"$(uname -m)\",\"kernel\":\"$(uname -r)\",\"kind\":\"$k\",\"mode\":\"$m\",\"ns_per_exit\":$1,\"ratio_to_not_loaded\":$(echo "$1 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"run_min_ratio\":$(echo "$2 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"run_max_ratio\":$(echo "$3 $base" | awk '{ printf "%.3f", $1 / $2 }'),\"ticks_per_exit\":$t,\"ticks_added\":$(echo "$t $tbase" | awk '{ printf "%.1f", $1 - $2 }'),\"ticks_ratio\":$(echo "$t $tbase" | awk '{ printf "%.3f", $1 / $2 }'),\"runs\":$REPS}"
	done
done
