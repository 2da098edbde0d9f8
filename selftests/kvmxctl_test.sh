#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvmxctl against bad input and a live VMM (kvmx_demo): a clear message and
# a non-zero status for every mistake, stats that match the guest's work, a
# policy set from the command line that still acts after kvmxctl returned.

. "$(dirname "$0")"/kvmx_lib.sh

expect 2 "usage" "no command" -- kvmxctl
expect 2 "unknown command" "unknown command" -- kvmxctl frobnicate
expect 2 "bad --pid" "non-numeric pid" -- kvmxctl stats --pid abc
expect 2 "bad --pid" "negative pid" -- kvmxctl stats --pid -5
expect 1 "no KVM VM on this host" "stats without a pid, no VM on the host" -- kvmxctl stats
expect 1 "no KVM VM on this host" "faults without a pid, no VM on the host" -- kvmxctl faults
expect 2 "trace needs --pid" "trace without a pid" -- kvmxctl trace
expect 2 "unexpected '--frob'" "faults with an unknown option" -- kvmxctl faults --pid 1 --frob
expect 1 "no process" "a pid that does not exist" -- kvmxctl stats --pid 999999
expect 1 "has no KVM VM" "a process without a VM" -- kvmxctl stats --pid 1
expect 2 "needs show, set or clear" "policy without a subcommand" -- kvmxctl policy
expect 2 "policy set needs --pid" "policy set without a pid" -- kvmxctl policy set --mmio discard

# the module's capabilities (KVMX_CHECK_EXTENSION): the arch's, the limits
case $(uname -m) in
x86_64) x86=1 arm=0 ;;
*) x86=0 arm=1 ;;
esac
check "version: the module's capabilities and limits" "$(kvmxctl --json version)" \
	'"capabilities":\{"stats":1,"faults":1,"regions":1,' \
	"\"region_pio\":$x86," "\"policy_inject\":$arm," "\"policy_pio\":$x86," \
	'"max_regions":8192,"max_bus_devs":256,"region_max_map":1048576,"ring_max_records":65536,'
check "version: the capabilities, a line of names" "$(kvmxctl version)" \
	'^capabilities: stats faults regions .* get_names .*max_regions=8192 '
# BPF programs: where the kernel lets a module register a struct_ops (6.10+)
bpf=0
[ -e /sys/kernel/btf/vmlinux ] && [ -e /sys/kernel/btf/kvmx ] && bpf=1
check "version: bpf is there exactly where kvmx has module BTF" "$(kvmxctl --json version)" \
	"\"bpf\":$bpf,"

d=/tmp/kvmxctl_test.pid
start_demo $d
expect 1 "is not a KVM VM" "a --vm-fd that is not a VM" -- kvmxctl stats --pid "$pid" --vm-fd 0
expect 1 "needs ptrace rights" "an unprivileged user on the root VMM" -- \
	"$(dirname "$0")"/kvmx_as_user 65534 kvmxctl stats --pid "$pid"
# the demo guest made 80 in-kernel traps (2 per round, 40 rounds)
out=$(kvmxctl --json stats --pid "$pid")
if echo "$out" | grep -qE '"vcpu":"vm","class":"(cpuid|sysreg)","count":80,'; then
	ok "stats by pid match the guest's 80 trapped instructions"
else
	echo "# $out" | head -c 400
	nok "stats by pid match the guest's 80 trapped instructions"
fi
# the demo keeps a session of its own: totals since it attached, named
check "stats of a kept VM: totals since its first attach, the guest named, rates" \
	"$(kvmxctl stats --pid "$pid")" \
	"^== VM kvmx_demo \(pid $pid\): totals of [0-9.]+ s, since [0-9-]+ [0-9:]+ \(a session keeps the VM\)\$" \
	"^  $trap +80 +[0-9.]+ "
check "stats -f: only the rows of the classes it names, the counts unchanged" \
	"$(kvmxctl --json stats --pid "$pid" -f "^$trap\$" | grep -o '"class":"[a-z_0-9]*"' |
	   sort -u | tr '\n' ' ') $(kvmxctl --json stats -p "$pid" --fields="^$trap\$" |
	   grep -c "\"vcpu\":\"vm\",\"class\":\"$trap\",\"count\":80,")" \
	"^\"class\":\"$trap\" +1\$"
check "top -1 -f: the same rows" "$(kvmxctl --json top -1 -p "$pid" -f "^$trap\$" |
	grep -o '"class":"[a-z_0-9]*"' | sort -u | tr '\n' ' ')" "^\"class\":\"$trap\" \$"
check "stats --hist: the $trap histogram's bars hold its 80 exits" \
	"$(kvmxctl stats --pid "$pid" --hist | sed -n "/^  @$trap latency/,/^\$/p" |
	   awk '/^  @/ { print $4 } /^  \[/ { sum += $3 } END { print sum }' |
	   tr '\n' ' ')" "^80 80 \$"
# every VM of the host (there is one), by guest name, and errors
check "stats without --pid: every VM of the host, the demo's among them" \
	"$(kvmxctl --json stats)" \
	"^\{\"vm\":\"kvmx_demo\",\"pid\":$pid,\"vm_fd\":[0-9]+,\"measured\":\"totals\",.*\"vcpu\":\"vm\",\"class\":\"$trap\",\"count\":80,"
check "faults -g kvmx_demo: the guest by name" "$(kvmxctl --json faults -g kvmx_demo)" \
	"^\{\"vm\":\"kvmx_demo\",\"pid\":$pid,"
check "top -1 without --pid: a block per VM" "$(kvmxctl --json top -1)" \
	"^\{\"vm\":\"kvmx_demo\",\"pid\":$pid,.*\"class\":\"$trap\",\"per_s\":0.0,\"total\":80\}"
expect 1 "no VM of guest 'nosuch' on this host" "stats -g of a guest that is not there" -- \
	kvmxctl stats -g nosuch
expect 1 "process $pid runs guest 'kvmx_demo', not 'other'" "stats --pid with another guest's -g" -- \
	kvmxctl stats --pid "$pid" -g other
expect 2 "vm-fd needs --pid" "stats --vm-fd without --pid" -- kvmxctl stats --vm-fd 3
expect 1 "cannot look for VMs in [0-9]* processes" "stats host-wide as an unprivileged user" -- \
	"$(dirname "$0")"/kvmx_as_user 65534 kvmxctl stats
# its 40 MMIO writes went to the VMM (arm64: and its 41 ucalls, MMIO too);
# the device page is the hottest
case $(uname -m) in aarch64) mmio=81 ;; *) mmio=40 ;; esac
out=$(kvmxctl faults --pid "$pid" --json)
if echo "$out" | grep -qE "\"vcpu\":\"vm\",\"class\":\"mmio_user\",\"count\":$mmio," &&
   echo "$out" | grep -qE '"page":"4k","gpa":3221225472,"count":(4[0-9]|[5-9][0-9]),'; then
	ok "faults by pid: $mmio MMIO faults to the VMM, 0xc0000000 among the hot pages"
else
	echo "# $out" | head -c 600
	nok "faults by pid: $mmio MMIO faults to the VMM, 0xc0000000 among the hot pages"
fi

# policy: bad input, then a policy set from the command line, seen by the
# VMM's next batch after kvmxctl returned, and undone by clear
expect 2 "unknown action 'drop'" "policy set with an unknown action" -- \
	kvmxctl policy set --pid "$pid" --mmio drop
expect 2 "bad range '0x10'" "policy set with a range without a size" -- \
	kvmxctl policy set --pid "$pid" --mmio discard --range 0x10
expect 2 "sample: bad 'frob:2'" "policy set sampling an unknown class" -- \
	kvmxctl policy set --pid "$pid" --sample frob:2
case $(uname -m) in
aarch64)
	expect 1 "KVMX_SET_POLICY: Invalid argument" "policy set --pio on arm64 (no ports)" -- \
		kvmxctl policy set --pid "$pid" --pio discard ;;
*)
	expect 1 "no bus error to inject" "policy set inject on x86" -- \
		kvmxctl policy set --pid "$pid" --mmio inject ;;
esac
holder() { cut -d' ' -f1 /run/kvmxctl/vm-"$pid"-* 2>/dev/null; }

kvmxctl policy set --pid "$pid" --mmio discard --range 0xc0000000:0x1000 >/dev/null
check "policy set returned, a holder keeps it" "$(holder)" '^[0-9]+$'
check "after kvmxctl returned, the guest's 40 writes were discarded, none reached the VMM" \
	"$(batch $d 1)" '^1 0$'
check "policy show: discard, 40 discarded" "$(kvmxctl policy show --pid "$pid" --json)" \
	'"mine":true,"mmio":"discard"' '"mmio_discarded":40,'
check "policy show (table) lists the range" "$(kvmxctl policy show --pid "$pid")" \
	'MMIO range 0xc0000000\+0x1000'
kvmxctl policy clear --pid "$pid" >/dev/null
check "policy clear: the writes reach the VMM again" "$(batch $d 2)" '^2 40$'

# regions: a doorbell added from the command line serves the guest's writes
expect 2 "unknown mode 'frob'" "regions add with an unknown mode" -- \
	kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 4 --mode frob
expect 2 "needs a region id" "regions remove without an id" -- kvmxctl regions remove --pid "$pid"
expect 2 "bad --size" "regions add with a bad size" -- \
	kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 4k --mode doorbell
expect 1 "KVMX_REGION_ADD: Invalid argument" "regions add: datamatch on a discard region" -- \
	kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 4 --mode discard --datamatch 1
id=$(kvmxctl --json regions add --pid "$pid" --addr 0xc0000000 --size 4 --mode doorbell |
     sed -n 's/^{"id":\([0-9]*\)}$/\1/p')
check "regions add returned an id" "$id" '^[0-9]+$'
check "the doorbell took the guest's 40 writes after kvmxctl returned" "$(batch $d 3)" '^3 0$'
check "regions list: the doorbell, 40 writes, kvmxctl's" \
	"$(kvmxctl --json regions list --pid "$pid")" \
	"\"id\":$id,\"mode\":\"doorbell\",\"pio\":false,\"kvmxctl\":true," \
	'"addr":3221225472,"size":4,"reads":0,"writes":40,'
check "regions show (table)" "$(kvmxctl regions show --pid "$pid" "$id")" \
	"doorbell .* 40 .* kvmxctl"
expect 1 "no region 999 added by kvmxctl" "regions remove of an unknown id" -- \
	kvmxctl regions remove --pid "$pid" 999
kvmxctl regions remove --pid "$pid" "$id" >/dev/null
check "regions remove: the writes reach the VMM again" "$(batch $d 4)" '^4 40$'
kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 4 --mode discard >/dev/null
check "a discard region: no write reaches the VMM" "$(batch $d 5)" '^5 0$'
kvmxctl release --pid "$pid" >/dev/null
check "release: the writes reach the VMM again, no holder left" \
	"$(batch $d 6) holder=$(holder)" '^6 40 holder=$'
# a bank: the guest's writes land in its registers, which regions show maps
# at the offset KVMX_REGION_LIST gives (the guest writes 0..39 in a batch)
id=$(kvmxctl --json regions add --pid "$pid" --addr 0xc0000000 --size 8 --mode bank |
     sed -n 's/^{"id":\([0-9]*\)}$/\1/p')
check "a bank region: no write reaches the VMM" "$(batch $d 7)" '^7 0$'
check "regions show of a bank: its registers hold the guest's last write, 39" \
	"$(kvmxctl regions show --pid "$pid" "$id")" '^  27 00 00 00 00 00 00 00$'
kvmxctl release --pid "$pid" >/dev/null
# a program region: the example device (tools/bpf/kvmx_dev.bpf.c) serves
# 8-byte accesses only, so the guest's 4-byte writes go on to the VMM,
# each one offered to the program first
prog=/selftests/bpf/kvmx_dev.bpf.o
if [ $bpf = 1 ]; then
	check "regions add --mode program --prog: added" "$(kvmxctl regions add --pid "$pid" \
		--addr 0xc0000000 --size 0x1000 --mode program --prog $prog)" \
		'^region [0-9]+ added: program at 0xc0000000\+0x1000'
	check "a program region forwarding 4-byte writes: all 40 reach the VMM" \
		"$(batch $d 8)" '^8 40$'
	check "regions list: the program region, its BPF link, 40 forwarded" \
		"$(kvmxctl regions list --pid "$pid") $(kvmxctl --json regions list --pid "$pid")" \
		' program  mmio .* kvmxctl \(BPF link [0-9]+\)' '"fallbacks":40,'
	kvmxctl release --pid "$pid" >/dev/null
	# an exit program (tools/bpf/kvmx_decide.bpf.c) as the policy
	check "policy set --prog: the policy holds an exit program of the MMIO class" \
		"$(kvmxctl policy set --pid "$pid" --prog /selftests/bpf/kvmx_decide.bpf.o)
$(kvmxctl policy show --pid "$pid")
$(kvmxctl --json policy show --pid "$pid")" '^policy set on process' \
		'^program: BPF link [0-9]+ decides mmio; [0-9]+ calls, 0 decisions refused$' \
		'"program":true,"prog_link_id":[1-9][0-9]*,"prog_classes":\["mmio"\],'
	kvmxctl release --pid "$pid" >/dev/null
else
	expect 1 "KVMX_CAP_BPF" "regions add --mode program without BPF programs" -- \
		kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 0x1000 --mode program \
		--prog $prog
	expect 1 "KVMX_CAP_BPF" "policy set --prog without BPF programs" -- \
		kvmxctl policy set --pid "$pid" --prog /selftests/bpf/kvmx_decide.bpf.o
	batch $d 8 >/dev/null
fi
expect 2 "goes with --mode program" "regions add --prog without --mode program" -- \
	kvmxctl regions add --pid "$pid" --addr 0xc0000000 --size 8 --mode bank --prog $prog

# four commands racing to add regions: one holder starts, all four regions are its
pids=""
for k in 0 1 2 3; do
	kvmxctl regions add --pid "$pid" --addr $((0xd0000000 + k * 8)) --size 8 \
		--mode discard >/dev/null &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p"
done
check "4 racing regions add: one holder, 4 regions in its session" \
	"$(ls /run/kvmxctl/ | grep -c "^vm-$pid-[0-9]*\$") \
$(kvmxctl --json regions list --pid "$pid" | grep -o '"kvmxctl":true' | wc -l)" '^1 4$'
kvmxctl release --pid "$pid" >/dev/null

# live views: stats --prometheus, top, trace agree with stats
cnt=$(kvmxctl --json stats --pid "$pid" |
    sed -n "s/.*\"vcpu\":\"vm\",\"class\":\"$trap\",\"count\":\([0-9]*\),.*/\1/p")
check "stats --prometheus: the $trap counter and its histogram agree with stats ($cnt)" \
	"$(kvmxctl stats --pid "$pid" --prometheus)" \
	"^kvmx_exits_total\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"\} $cnt\$" \
	"^kvmx_exit_latency_seconds_bucket\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\",\
le=\"\+Inf\"\} $cnt\$" \
	"^kvmx_exit_latency_seconds_count\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"\} $cnt\$" \
	'^# TYPE kvmx_exit_latency_seconds histogram$'
check "top --count 1 --json: an idle VM, totals as stats says" \
	"$(kvmxctl --json top --pid "$pid" --count 1)" \
	"\"class\":\"$trap\",\"per_s\":0.0,\"total\":$cnt\}"
kvmxctl trace --pid "$pid" --class mmio --count 10 > /tmp/kvmxctl_trace.out &
tr=$!
sleep 1
batch $d 9 >/dev/null
wait $tr
# every record an MMIO exit; on arm64 every other one is the ucall's
case $(uname -m) in aarch64) dev=5 ;; *) dev=10 ;; esac
check "trace --class mmio --count 10: the guest's device writes ($dev) and ucalls" \
	"$(grep -c ' exit   mmio ' /tmp/kvmxctl_trace.out) \
$(grep -c ' exit   mmio .* gpa 0xc0000000 ' /tmp/kvmxctl_trace.out)" "^10 $dev\$"
expect 2 "unknown class 'frob'" "trace of an unknown class" -- \
	kvmxctl trace --pid "$pid" --class frob
expect 2 "interval must be at least 1" "top with a zero interval" -- \
	kvmxctl top --pid "$pid" --interval 0

kvmxctl policy set --pid "$pid" --mmio discard --range 0xc0000000:0x1000 >/dev/null
h=$(holder)
kvmxctl trace --pid "$pid" > /dev/null 2> /tmp/kvmxctl_trace.err &
tr=$!
sleep 1
kill -TERM "$pid"
wait "$pid"
wait $tr
rc=$?
check "trace: the VMM exits mid-command: a message and status 1" \
	"$rc $(cat /tmp/kvmxctl_trace.err)" "^1 kvmxctl: process $pid exited"
i=0
while kill -0 "$h" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -n "$h" ] && ! kill -0 "$h" 2>/dev/null; then
	ok "the holder exits with the VMM"
else
	nok "the holder exits with the VMM (holder '$h')"
fi
expect 1 "no process" "the VMM has exited" -- kvmxctl stats --pid "$pid"
done_testing
