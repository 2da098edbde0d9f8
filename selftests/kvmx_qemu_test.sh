#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvmxctl on a real VMM: Debian's qemu-system-x86_64 with -accel kvm (the
# bundle of tools/vm/qemu-bundle.sh, passed as tools/vm/run --extra), booting
# an L2 Linux whose /init makes 4-byte MMIO writes to an address nothing
# claims, in rounds this test starts (tools/vm/qemu-l2.sh). kvmxctl reads the
# VM by QEMU's pid, traces the writes, serves them with a doorbell and
# discards them with a policy, counted exactly; the holder goes with QEMU.
# Skips (status 4) without the bundle, off x86_64 or without /dev/kvm.

. "$(dirname "$0")"/kvmx_lib.sh

skip() {
	echo "1..0 # SKIP $1"
	exit 4
}
[ "$(uname -m)" = x86_64 ] || skip "QEMU's bundle is x86_64"
[ -e /extra/qemu/l2.sh ] || skip "no /extra/qemu (tools/vm/run --extra of tools/vm/qemu-bundle.sh)"
[ -c /dev/kvm ] || skip "no /dev/kvm"
. /extra/qemu/l2.sh

w=/tmp/kvmx_qemu_test
# QEMU killed, the CPUs l2_start took offline back, whatever happens
cleanup() {
	l2_kill
	l2_cpus_on
}
trap cleanup EXIT
trap 'exit 1' INT TERM

t0=$(cut -d' ' -f1 /proc/uptime)
if ! l2_start "$w"; then
	echo "Bail out! QEMU did not boot the L2 guest to its /init"
	exit 1
fi
ok "QEMU -accel kvm (pid $qpid) booted the L2 to /init in $(awk -v a="$t0" \
	'{ printf "%.1f", $1 - a }' /proc/uptime) s (boot $l2_try)"
tr -d '\r' < "$w/console" | grep '^kvmx-l2: ready' | sed 's/^/# /'

out=$(kvmxctl version 2>&1)
check "kvmxctl version" "$out
status $?" '^status 0$'

# the classes of the exit taxonomy, as the table's rows start
classes='other|stage2|mmio|pio|halt|hypercall|sysreg|cpuid|extint|exception|irq_window|pause|failure'
out=$(kvmxctl stats --pid "$qpid" 2>&1)
check "stats --pid: status 0, exit class rows" "$out
status $?" '^status 0$' "^ +($classes) +[0-9]"
check "--json stats --pid: the VM's totals, by class" \
	"$(kvmxctl --json stats --pid "$qpid" 2>&1)" \
	"^\{\"vm\":\"demo-l2\",\"pid\":$qpid,.*\"vcpu\":\"vm\",\"class\":\"($classes)\",\"count\":[0-9]+,"
out=$(kvmxctl faults --pid "$qpid" 2>&1)
check "faults --pid: status 0" "$out
status $?" '^status 0$'
out=$(kvmxctl top --pid "$qpid" --count 1 2>&1)
check "top --pid --count 1: status 0" "$out
status $?" '^status 0$'

# trace: rounds of 5 writes until it has its 3 records (it attaches in
# its own time; at most 10 rounds)
kvmxctl trace --pid "$qpid" --class mmio --count 3 > "$w/trace" 2>&1 &
tr=$!
r=0
while [ $r -lt 10 ] && kill -0 "$tr" 2>/dev/null; do
	r=$((r + 1))
	l2_round $r 5 || break
done
kill "$tr" 2>/dev/null
wait "$tr"
check "trace --class mmio --count 3: 3 MMIO exits while the L2 writes (rounds: $r)" \
	"$(cat "$w/trace")
records $(grep -c ' exit   mmio ' "$w/trace")" '^records 3$'

# a doorbell on the address: it serves exactly the writes of the next round
holder() { cut -d' ' -f1 /run/kvmxctl/vm-"$qpid"-[0-9]* 2>/dev/null; }
out=$(kvmxctl regions add --pid "$qpid" --addr "$L2_ADDR" --size 4 --mode doorbell 2>&1)
check "regions add: a doorbell at $L2_ADDR" "$out
status $? holder $(holder)" '^status 0 holder [0-9]+$'
check "regions list: no write yet" "$(kvmxctl --json regions list --pid "$qpid")" \
	'"mode":"doorbell","pio":false,"kvmxctl":true,"addr":4272947200,"size":4,"reads":0,"writes":0,'
r=$((r + 1))
l2_round $r 25
check "regions list: the doorbell took the round's 25 writes, exactly" \
	"$(kvmxctl --json regions list --pid "$qpid")" \
	'"mode":"doorbell","pio":false,"kvmxctl":true,"addr":4272947200,"size":4,"reads":0,"writes":25,'
kvmxctl release --pid "$qpid" >/dev/null
check "release: no region left" "$(kvmxctl --json regions list --pid "$qpid") holder=$(holder)" \
	'^\[\] holder=$'

# a discard policy on the page: it discards exactly the next round's writes
out=$(kvmxctl policy set --pid "$qpid" --mmio discard --range "$L2_ADDR:0x1000" 2>&1)
check "policy set --mmio discard --range $L2_ADDR:0x1000" "$out
status $?" '^status 0$'
r=$((r + 1))
l2_round $r 15
check "policy show: the round's 15 writes discarded, exactly" \
	"$(kvmxctl policy show --pid "$qpid" --json)" \
	'"mine":true,"mmio":"discard"' '"mmio_discarded":15,'
out=$(kvmxctl release --pid "$qpid" 2>&1)
check "release: status 0, no holder left" "$out
status $? holder=$(holder)" '^status 0 holder=$'

# the holder goes with QEMU
kvmxctl policy set --pid "$qpid" --mmio discard --range "$L2_ADDR:0x1000" >/dev/null
h=$(holder)
r=$((r + 1))
l2_round $r 1
q=$qpid
if l2_stop; then
	ok "QEMU exits on SIGTERM"
else
	nok "QEMU exits on SIGTERM"
fi
# (its .lock file stays: the flock commands take turns on)
files() { ls /run/kvmxctl/ | grep "^vm-$1-[0-9]*\$"; }
i=0
while { kill -0 "$h" 2>/dev/null || [ -n "$(files "$q")" ]; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the holder exits with QEMU, its file goes" \
	"holder '$h' $(kill -0 "$h" 2>/dev/null && echo alive)files: $(files "$q")" \
	"^holder '[0-9]+' files: \$"
done_testing
