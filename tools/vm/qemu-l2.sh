# SPDX-License-Identifier: GPL-2.0
#
# Sourced inside the x86_64 test VM, from the bundle of
# tools/vm/qemu-bundle.sh (/extra/qemu/l2.sh): Debian's qemu-system-x86_64
# as the VMM, with -accel kvm, booting an L2 guest (Debian's 6.1 kernel and
# tools/vm/qemu-l2-init) that makes 4-byte MMIO writes to $L2_ADDR, an
# address nothing claims on QEMU's pc machine, in rounds started here.
# POSIX sh (busybox ash).
#
#   l2_start DIR  start QEMU (console, FIFO in DIR); its pid in $qpid. Status
#                 0 once the L2 says it is ready, else 1 (TAP comments on
#                 stdout say why)
#   l2_round R K  the L2 writes R to $L2_ADDR K times; status 0 once it says
#                 "round R done K" (within $L2_ROUND_WAIT seconds)
#   l2_send R K   the same, without waiting; l2_wait_round R K waits
#   l2_stop       SIGTERM to QEMU; status 0 once it exited (within 30 s)
#
# The L2 runs under two emulators: the test VM's KVM (kvm-amd) on QEMU TCG's
# emulated SVM. There it sometimes hangs, in a timer interrupt taken inside
# the timer interrupt handler (IF clear), spinning on the lock
# (timekeeper_lock, jiffies_lock) or the seqcount the handler it interrupted
# holds: in 40 to 50% of its boots in a test VM with two CPUs (6.1 and 7.2
# alike; the VM's TSC unstable), 1 in 12 with the second CPU offline (and a
# round stopped half done once, on 7.2), none in 20 boots and their rounds
# in a test VM with one CPU (tools/vm/run --smp 1, which also keeps the
# VM's TSC stable; once, though, such a 7.2 VM went idle for good while the
# L2 booted, which tools/vm/run's timeout ends). So make check and make demo
# boot their VM with one CPU, and l2_start takes every CPU but CPU 0
# offline for the L2's lifetime (l2_stop brings them back) and boots the L2
# up to $L2_BOOT_TRIES times, each bounded by $L2_BOOT_WAIT seconds. The
# L2 reaches /init 9 to 12 s after QEMU starts on an idle machine (test VM
# 6.1, 6.12), 31 to 41 s (7.2).

L2_BUNDLE=${L2_BUNDLE:-/extra/qemu}
L2_ADDR=0xfeb00000
L2_BOOT_WAIT=${L2_BOOT_WAIT:-120}
L2_BOOT_TRIES=${L2_BOOT_TRIES:-3}
L2_ROUND_WAIT=${L2_ROUND_WAIT:-120}
qpid=""
l2_offline=""

# l2_console_has PATTERN: the L2's console has a line matching PATTERN
# (grep -E; its lines end in CR LF)
l2_console_has() {
	grep -qE -- "$1" "$l2_dir/console" 2>/dev/null
}

# l2_alive: QEMU runs (a zombie does not count)
l2_alive() {
	l2_s=""
	{ read -r l2_s < "/proc/$qpid/stat"; } 2>/dev/null
	case ${l2_s##*) } in
	''|Z*) return 1 ;;
	esac
}

# l2_now: the seconds since boot in $l2_up
l2_now() {
	read -r l2_up l2_idle < /proc/uptime
	l2_up=${l2_up%.*}
}

# l2_wait SECONDS PATTERN: until the console has PATTERN (polled twice a
# second, with builtins mostly: the test VM emulates the L2 too); 1 if QEMU
# exits first or SECONDS passed, with the console's end as TAP comments
l2_wait() {
	l2_now
	l2_end=$((l2_up + $1))
	while ! l2_console_has "$2"; do
		l2_now
		if ! l2_alive || [ "$l2_up" -ge "$l2_end" ]; then
			l2_console_has "$2" && return 0
			echo "# waited $1 s for '$2'; QEMU $(l2_alive && echo "still runs" ||
				echo "exited"), its console ends:"
			tr -d '\r' < "$l2_dir/console" | tail -n 20 | sed 's/^/#   /'
			return 1
		fi
		sleep 0.5
	done
}

# l2_cpus_off, l2_cpus_on: every CPU but CPU 0 offline, and back; only in
# the test VM (its /vm.conf), never on a host that sourced this
l2_cpus_off() {
	[ -e /vm.conf ] || return 0
	for l2_c in /sys/devices/system/cpu/cpu[1-9]*; do
		[ "$(cat "$l2_c/online" 2>/dev/null)" = 1 ] || continue
		echo 0 > "$l2_c/online" && l2_offline="$l2_offline $l2_c"
	done
	[ -z "$l2_offline" ] || echo "# took CPUs offline for the L2:$(echo "$l2_offline" |
		sed 's@/sys/devices/system/cpu/@ @g')"
}
l2_cpus_on() {
	for l2_c in $l2_offline; do
		echo 1 > "$l2_c/online"
	done
	l2_offline=""
}

# l2_boot: one boot; 0 once the L2 is ready
l2_boot() {
	rm -f "$l2_dir/in"
	mkfifo "$l2_dir/in"
	: > "$l2_dir/console"
	# The bundled QEMU, run by the bundled dynamic loader (a simple command,
	# so that $! is QEMU itself). Its stdin is the FIFO (the L2's serial
	# input), held open here on fd 8 for the rounds; its stdout and stderr
	# the console file.
	"$L2_BUNDLE/lib/ld-linux-x86-64.so.2" --library-path "$L2_BUNDLE/lib" \
		"$L2_BUNDLE/qemu-system-x86_64" -name guest=demo-l2 -accel kvm -cpu host \
		-m 128 -smp 1 -nodefaults -nographic -no-reboot -serial stdio \
		-L "$L2_BUNDLE/share" -kernel "$L2_BUNDLE/l2/bzImage" \
		-initrd "$L2_BUNDLE/l2/initramfs.cpio.gz" \
		-append "console=ttyS0 panic=-1 quiet rdinit=/init l2_addr=$L2_ADDR" \
		< "$l2_dir/in" > "$l2_dir/console" 2>&1 &
	qpid=$!
	exec 8> "$l2_dir/in"
	l2_wait "$L2_BOOT_WAIT" '^kvmx-l2: ready '
}

l2_start() {
	l2_dir=$1
	mkdir -p "$l2_dir"
	l2_cpus_off
	l2_try=1
	while ! l2_boot; do
		l2_kill
		if [ "$l2_try" -ge "$L2_BOOT_TRIES" ]; then
			l2_cpus_on
			return 1
		fi
		l2_try=$((l2_try + 1))
		echo "# the L2 did not reach /init (see above); boot $l2_try of $L2_BOOT_TRIES"
	done
}

l2_send() {
	echo "$1 $2" >&8
}

l2_wait_round() {
	l2_wait "$L2_ROUND_WAIT" "^kvmx-l2: round $1 done $2([^0-9]|\$)"
}

l2_round() {
	l2_send "$1" "$2" && l2_wait_round "$1" "$2"
}

# l2_kill: QEMU killed (SIGKILL) and reaped, if it runs
l2_kill() {
	exec 8>&-
	[ -n "$qpid" ] || return 0
	kill -KILL "$qpid" 2>/dev/null
	wait "$qpid" 2>/dev/null
	qpid=""
}

l2_stop() {
	exec 8>&-
	kill -TERM "$qpid" 2>/dev/null
	l2_now
	l2_end=$((l2_up + 30))
	while l2_alive; do
		l2_now
		if [ "$l2_up" -ge "$l2_end" ]; then
			l2_kill
			l2_cpus_on
			return 1
		fi
		sleep 0.25
	done
	wait "$qpid" 2>/dev/null
	qpid=""
	l2_cpus_on
	return 0
}
