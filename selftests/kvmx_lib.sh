# SPDX-License-Identifier: GPL-2.0
#
# What the shell selftests share (sourced): TAP lines counted as they go
# (the plan printed by done_testing), expectations on commands and output,
# and the kvmx_demo VMM driven by signals.

n=0
fails=0
echo "TAP version 13"
ok() { n=$((n + 1)); echo "ok $n $1"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n $1"; }
# the plan, at the end; the status: 0 if nothing failed
done_testing() {
	echo "1..$n"
	[ "$fails" = 0 ]
}
# expect STATUS PATTERN DESC -- CMD...: CMD exits STATUS, stderr matches PATTERN
expect() {
	want=$1 pat=$2 desc=$3
	shift 4
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = "$want" ] && echo "$err" | grep -q -- "$pat"; then
		ok "$desc"
	else
		echo "# status $rc, stderr: $err"
		nok "$desc"
	fi
}
# check DESC OUTPUT PATTERN...: OUTPUT matches every PATTERN (grep -E)
check() {
	desc=$1 out=$2
	shift 2
	for p in "$@"; do
		if ! echo "$out" | grep -qE -- "$p"; then
			echo "# $out" | head -c 600
			echo
			nok "$desc"
			return
		fi
	done
	ok "$desc"
}
# wait_for TENTHS CMD...: until CMD succeeds, up to TENTHS tenths of a second
wait_for() {
	t=$1
	shift
	i=0
	until "$@"; do
		[ $i -lt "$t" ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# start_demo FILE [--no-session]: a kvmx_demo VMM, its pid in $pid (the
# guest ran its first batch of 40 rounds: 80 trapped instructions, 40 MMIO
# writes); exits the script if it does not start
start_demo() {
	rm -f "$1" "$1.batch"
	"$(dirname "$0")"/kvmx_demo "$@" >/dev/null &
	if ! wait_for 300 test -s "$1"; then
		echo "Bail out! kvmx_demo did not start"
		exit 1
	fi
	pid=$(cat "$1")
}
# batch FILE N: run batch N of the demo whose pid file is FILE; prints
# "<N> <MMIO writes the VMM saw>"
batch() {
	kill -USR1 "$(cat "$1")"
	wait_for 300 sh -c "[ \"\$(cut -d' ' -f1 $1.batch 2>/dev/null)\" = $2 ]"
	cat "$1.batch"
}
# the trapped instruction class of the demo guest
case $(uname -m) in aarch64) trap=sysreg ;; *) trap=cpuid ;; esac
