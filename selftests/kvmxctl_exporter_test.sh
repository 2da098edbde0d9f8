#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kvmxctl exporter, and what one-shot commands measure: bad flags and a
# busy port; a VM created after the exporter started is found (KVM's
# uevent) and scraped with counters equal to the guest's work, monotonic
# across scrapes and across a reset by another tool; the textfile follows;
# a VMM that exits mid-scrape goes and the exporter stays; a VMM that
# closes its VM is let go by the exporter and the holder, and the VM is
# freed; stats on a VM no session keeps measures an interval, on a kept
# one with --interval the difference.

. "$(dirname "$0")"/kvmx_lib.sh

port=127.0.0.1:9848
url=http://$port/metrics
prom=/tmp/kvmx_exporter_test.prom
d=/tmp/kvmx_exporter_test.pid

expect 2 "bad --listen 'nope'" "exporter --listen without a port" -- kvmxctl exporter --listen nope
expect 2 "port 1-65535" "exporter --listen with port 70000" -- \
	kvmxctl exporter --listen 127.0.0.1:70000
expect 2 "bad --listen '1.2.3:80'" "exporter --listen with a bad address" -- \
	kvmxctl exporter --listen 1.2.3:80
expect 2 "at least 1 s" "exporter --interval 0" -- kvmxctl exporter --interval 0
expect 2 "unexpected '--frob'" "exporter with an unknown option" -- kvmxctl exporter --frob
expect 2 "not --pid" "exporter --pid" -- kvmxctl exporter --pid 1

ip link set lo up
rm -f "$prom"
kvmxctl exporter --listen "$port" --textfile "$prom" --interval 1 2>/tmp/exporter.err &
exp=$!
scrape() { wget -q -O - "$url" 2>/dev/null; }
# value SERIES: its value in the last scrape ($out)
value() { echo "$out" | grep -F "$1 " | sed 's/.* //'; }
if wait_for 100 sh -c "wget -q -O /dev/null $url"; then
	ok "the exporter serves $url"
else
	nok "the exporter serves $url"
fi
check "no VM yet: kvmx_exporter_vms 0, no exit series" "$(scrape)" '^kvmx_exporter_vms 0$'
expect 1 "cannot listen on $port: Address already in use" "a second exporter on the same port" -- \
	kvmxctl exporter --listen "$port"
# a client that trickles a byte a second holds the exporter 2 s, not forever
(while :; do printf x; sleep 1; done) | nc 127.0.0.1 9848 >/dev/null 2>&1 &
slow=$!
sleep 0.5
if timeout 8 wget -q -O /dev/null "$url"; then
	ok "a scrape while a client trickles its request"
else
	nok "a scrape while a client trickles its request"
fi
kill $slow 2>/dev/null
check "404 for another path" "$(wget -S -O /dev/null http://$port/frob 2>&1)" '404 Not Found'

# a VM created after the exporter started: the demo keeps a session of its
# own from before its guest runs, so its 80 trapped instructions are all counted
start_demo $d
s="kvmx_exits_total{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"}"
found() { scrape | grep -qF "$s 80"; }
if wait_for 100 found; then
	ok "a VM created after the start appears with the guest's 80 $trap exits"
else
	echo "# $(scrape | grep kvmx_exits_total | head -5)"
	nok "a VM created after the start appears with the guest's 80 $trap exits"
fi
check "the exporter said it holds it" "$(cat /tmp/exporter.err)" \
	"^kvmxctl exporter: \\+ VM kvmx_demo \\(pid $pid\\)\$"
batch $d 1 >/dev/null
a=$(scrape)
sleep 1
batch $d 2 >/dev/null
b=$(scrape)
out=$a
va=$(value "$s")
out=$b
check "two scrapes a second apart: $trap 160 then 240" "$va $(value "$s")" '^160 240$'
# monotonic: every series of the first scrape is there, not smaller, in the next
mono() {
	echo "$1" >/tmp/scrape.1
	echo "$2" >/tmp/scrape.2
	awk '!/^#/ { if (NR == FNR) a[$1] = $2; else b[$1] = $2 }
	     END { for (k in a) if (!(k in b) || b[k] + 0 < a[k] + 0)
			print "# " k ": " a[k] " then " b[k] }' /tmp/scrape.1 /tmp/scrape.2
}
check "every counter of the first scrape is monotonic in the second" "$(mono "$a" "$b")" '^$'
kvmxctl stats --pid "$pid" --reset >/dev/null
batch $d 3 >/dev/null
c=$(scrape)
out=$c
check "a reset by another tool: the counter goes on, 240 + 80" "$(value "$s")" '^320$'
check "every counter is monotonic across the reset" "$(mono "$b" "$c")" '^$'
check "the histogram's +Inf bucket and count agree with the counter" "$c" \
	"^kvmx_exit_latency_seconds_bucket\\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\",le=\"\\+Inf\"\\} 320\$" \
	"^kvmx_exit_latency_seconds_count\\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"\\} 320\$" \
	'^# TYPE kvmx_exit_latency_seconds histogram$' '^# TYPE kvmx_exits_total counter$'
check "stage-2 faults are exported: the guest's MMIO writes to the VMM" "$c" \
	"^kvmx_stage2_faults_total\\{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"mmio_user\"\\} [0-9]+\$"
tf() { grep -qF "$s 320" "$prom"; }
if wait_for 50 tf && [ -z "$(ls /tmp/kvmx_exporter_test.prom.*.tmp 2>/dev/null)" ]; then
	ok "the textfile follows (320), no temporary file left"
else
	nok "the textfile follows (320), no temporary file left"
fi

# the VMM exits while scrapes run
(for k in 1 2 3 4 5 6 7 8 9 10; do scrape >/dev/null; done) &
sc=$!
kill -TERM "$pid"
wait "$pid"
wait $sc
gone() { scrape | grep -q '^kvmx_exporter_vms 0$'; }
if kill -0 $exp 2>/dev/null && wait_for 50 gone; then
	ok "the VMM exits mid-scrape: the exporter stays, the VM goes"
else
	nok "the VMM exits mid-scrape: the exporter stays, the VM goes"
fi
# (an exiting process closes its files before its pidfd says it exited: on
# a busy machine the exporter may see the close first)
check "it said why" "$(cat /tmp/exporter.err)" \
	"^kvmxctl exporter: - VM kvmx_demo \\(pid $pid\\) \\(the VMM (exited|closed it)\\)\$"

# a VMM that closes its VM and lives on: the exporter and a holder let go
start_demo $d
s="kvmx_exits_total{vm=\"kvmx_demo\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"}"
wait_for 100 found
kvmxctl regions add --pid "$pid" --addr 0xd0000000 --size 8 --mode discard >/dev/null
h=$(cut -d' ' -f1 /run/kvmxctl/vm-"$pid"-*)
kill -HUP "$pid"
freed() {
	grep -q '^vms 0$' /sys/kernel/debug/kvmx/objects && ! kill -0 "$h" 2>/dev/null &&
	[ -z "$(ls /run/kvmxctl/ | grep "^vm-$pid-[0-9]*\$")" ]
}
if wait_for 50 freed && kill -0 "$pid"; then
	ok "a VMM closes its VM: exporter and holder let go, the VM is freed"
else
	echo "# $(cat /sys/kernel/debug/kvmx/objects | tr '\n' ' '); holder $h"
	nok "a VMM closes its VM: exporter and holder let go, the VM is freed"
fi
check "the exporter said why" "$(cat /tmp/exporter.err)" \
	"^kvmxctl exporter: - VM kvmx_demo \\(pid $pid\\) \\(the VMM closed it\\)\$"
kill -TERM "$pid"
wait "$pid"
kill -TERM $exp
wait $exp
check "the exporter stops on SIGTERM, status 0" "$? $(tail -1 /tmp/exporter.err)" \
	'^0 kvmxctl exporter: stopped$'

# a guest named the way libvirt names QEMU's, with a quote in it
start_demo $d x -name 'guest=q"x,debug-threads=on'
check "-g picks a VM by QEMU's -name guest=, escaped in JSON" \
	"$(kvmxctl --json stats -g 'q"x')" "^\\{\"vm\":\"q\\\\\"x\",\"pid\":$pid,"
check "and in Prometheus labels" "$(kvmxctl stats --prometheus -g 'q"x')" \
	"^kvmx_exits_total\\{vm=\"q\\\\\"x\",pid=\"$pid\",vcpu=\"all\",class=\"$trap\"\\} 80\$"
kill -TERM "$pid"
wait "$pid"

# one-shot commands: a VM no session keeps is measured for --interval
start_demo $d --no-session
kvmxctl --json stats --pid "$pid" --interval 4 >/tmp/stats.out 2>/tmp/stats.err &
st=$!
measuring() { grep -q 'measuring for 4 s' /tmp/stats.err; }
wait_for 100 measuring
batch $d 1 >/dev/null
wait $st
check "stats of a VM no session keeps: the 4 s after attaching, the batch's 80 $trap" \
	"$(cat /tmp/stats.out)" '"measured":"attach_interval","seconds":(4|5)\.' \
	"\"vcpu\":\"vm\",\"class\":\"$trap\",\"count\":80,\"per_s\":[0-9.]+,"
check "its table says so" "$(kvmxctl stats --pid "$pid" 2>/dev/null)" \
	"^== VM kvmx_demo \\(pid $pid\\): the 1\\.[0-9] s after kvmxctl attached \\(no session kept the VM\\)\$" \
	'^no exits$'
kvmxctl regions add --pid "$pid" --addr 0xd0000000 --size 8 --mode discard >/dev/null
batch $d 2 >/dev/null
kvmxctl --json faults --pid "$pid" --interval 4 >/tmp/stats.out 2>/tmp/stats.err &
st=$!
wait_for 100 measuring
batch $d 3 >/dev/null
wait $st
# the batch's 40 MMIO writes to the VMM (arm64: and its 41 ucalls, MMIO too)
case $(uname -m) in aarch64) mmio=81 ;; *) mmio=40 ;; esac
check "faults --interval of a kept VM: the difference, the batch's $mmio MMIO exits" \
	"$(cat /tmp/stats.out)" '"measured":"interval","seconds":(4|5)\.' \
	"\"vcpu\":\"vm\",\"class\":\"mmio_user\",\"count\":$mmio,"
check "stats of a kept VM: the totals of the 2 batches since it was kept" \
	"$(kvmxctl --json stats --pid "$pid")" \
	'"measured":"totals",' "\"vcpu\":\"vm\",\"class\":\"$trap\",\"count\":160,"
kvmxctl release --pid "$pid" >/dev/null
kill -TERM "$pid"
wait "$pid"
done_testing
