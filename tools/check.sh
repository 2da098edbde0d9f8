#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check` runs, as TAP, ending with "N passed, N failed":
#   host unit tests; the 7.2 test kernels, built once per machine
#   (tools/kernel-build.sh, cached outside the clone); the module built with
#   W=1 and checked by sparse (C=2) for all six test kernels; Debian's dkms
#   building it for each of them (tools/dkms-check.sh); checkpatch --strict; and the selftests in a VM per kernel (x86_64 and arm64, 6.1,
#   6.12 and 7.2 with its bug finders, under QEMU TCG) and on an emulated
#   Intel CPU with VMX (Bochs: 6.1 on Haswell, 6.12 on Tiger Lake with
#   CET-IBT); the x86_64 6.1 and 6.12 stages also boot a VM with one CPU
#   for kvmx_qemu_test.sh, Debian's QEMU as the VMM (tools/vm/qemu-bundle.sh).
# KVMX_CHECK_ONLY="x86_64-6.1 intel-6.12 ..." limits the VM runs. Exit
# status 0 only if nothing failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
. tools/kernels.sh

passed=0 failed=0 skipped=0
logdir=$top/build/check
mkdir -p "$logdir"

# Count the TAP results in a file (top-level "ok"/"not ok" lines).
tally() {
	local p f s
	p=$(grep -cE '^ok ' "$1")
	s=$(grep -cE '^ok .*# SKIP' "$1")
	f=$(grep -cE '^not ok ' "$1")
	passed=$((passed + p - s)) skipped=$((skipped + s)) failed=$((failed + f))
}

# stage NAME CMD...: run CMD, show its output, count its TAP, time it.
stage() {
	local name=$1 log=$logdir/$1.tap start rc
	shift
	echo "# === $name"
	start=$(date +%s)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	# A stage that fails without saying which test failed still counts.
	if [ "$rc" != 0 ] && ! grep -qE '^not ok ' "$log"; then
		echo "not ok - $name exited with status $rc" | tee -a "$log"
	fi
	tally "$log"
	# a stage run in the background (vm_pair) timed itself
	local secs=$(($(date +%s) - start))
	[ -e "$logdir/$name.time" ] && secs=$(cat "$logdir/$name.time")
	echo "# stage $name: ${secs}s"
	times="$times $name=${secs}s"
}

# quiet_make DESC TARGET ARCH KERNEL: ok if make succeeds and says nothing
# of warnings or errors.
quiet_make() {
	local desc=$1 out
	out=$(make -s "$2" ARCH="$3" KERNEL="$4" 2>&1)
	if [ $? = 0 ] && ! echo "$out" | grep -qE 'warning:|error:'; then
		echo "ok - $desc"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok - $desc"
		return 1
	fi
}

# The module for one kernel: W=1 must be silent, and sparse C=2 too.
build_and_sparse() {
	quiet_make "build $1 $2 with W=1, no warnings" module "$1" "$2" &&
		quiet_make "sparse $1 $2 (C=2, W=1), no warnings" sparse "$1" "$2"
}

# The kernels built here (7.2, both arches), once per machine: reused when
# tools/kernel-build.sh finds them built with the same configuration.
kernels() {
	local kv arch d klog
	for kv in $KVMX_KERNELS; do
		kernel_is_built "$kv" || continue
		for arch in x86_64 arm64; do
			klog=$logdir/kernel-$kv-$arch.log
			if d=$(tools/kernel-build.sh --dir "$kv" "$arch"); then
				echo "ok - kernel $kv $arch: built before ($(cat "$d/build-seconds") s), $d"
			elif d=$(tools/kernel-build.sh "$kv" "$arch" 2> "$klog"); then
				echo "ok - kernel $kv $arch: built in $(cat "$d/build-seconds") s, $d"
			else
				tail -n 40 "$klog" | sed 's/^/# /'
				echo "not ok - kernel $kv $arch: build failed (log: $klog)"
			fi
		done
	done
}

builds() {
	for arch in x86_64 arm64; do
		for kv in $KVMX_KERNELS; do
			build_and_sparse "$arch" "$kv"
		done
	done
}

# The selftests on an Intel CPU (Bochs, VMX): a subset, sized so that both
# Intel stages fit beside the QEMU ones (see Documentation/design.rst,
# Testing). Every kvmx feature is in it.
INTEL_TESTS="kvmx_load_test.sh kvmx_ioctl_test kvmx_ioctl_stats_test
	kvmx_ioctl_regions_test kvmx_ioctl_policy_test kvmx_guest_test kvmx_exits_test
	kvmx_faults_test kvmx_regions_test kvmx_policy_test kvmx_safety_test
	kvmx_seeds_test kvmxctl_test.sh"

# vm_tests NAME: one VM stage (x86_64-6.1, arm64-6.12, intel-6.1, ...); the
# artifacts are built beforehand (vm_stages).
vm_tests() {
	local arch=${1%-*} kv=${1##*-} rc
	if [ "$arch" = intel ]; then
		KVMX_VM_NO_BUILD=1 tools/vm/run --arch x86_64 --cpu intel --kernel "$kv" \
			--timeout 2700 -- env KVMX_TESTS="$(echo $INTEL_TESTS)" \
			KVMX_TEST_TIMEOUT=900 /selftests/run_tests.sh
		rc=$?
	else
		# the bug finders of the built kernels cost time: KASAN, lockdep
		local timeout=1200
		kernel_is_built "$kv" && timeout=2400
		KVMX_VM_NO_BUILD=1 tools/vm/run --arch "$arch" --kernel "$kv" --timeout $timeout \
			-- /selftests/run_tests.sh
		rc=$?
		# Debian's QEMU as the VMM (tools/vm/qemu-bundle.sh), in a VM of its
		# own with one CPU: under TCG's emulated SVM its guest hangs now and
		# then on a test VM with two (see tools/vm/qemu-l2.sh). Not on the
		# 7.2 built here: there the test VM itself went idle for good while
		# QEMU's guest booted, twice (design.rst, "Debian's QEMU as the VMM")
		# The test VM itself also went idle for good, once on 6.12 (TCG's
		# nested SVM, design.rst): a VM that timed out (124) is booted
		# once more, and says so (the stalled boot's TAP as comments);
		# any other failure counts.
		if [ "$arch" = x86_64 ] && ! kernel_is_built "$kv"; then
			local try qrc out="$top/build/vm/$arch-$kv-qemu.tap"
			for try in 1 2; do
				qrc=0
				KVMX_VM_NO_BUILD=1 KVMX_VM_LOG="$top/build/vm/$arch-$kv-qemu.log" \
					tools/vm/run --arch x86_64 --kernel "$kv" --smp 1 \
					--timeout 300 --extra "$top/build/qemu-bundle" \
					-- /selftests/kvmx_qemu_test.sh > "$out" || qrc=$?
				if [ $qrc != 124 ] || [ $try = 2 ]; then
					cat "$out"
					break
				fi
				sed 's/^/# stalled: /' "$out"
				cp "$top/build/vm/$arch-$kv-qemu.log" \
					"$top/build/vm/$arch-$kv-qemu.stalled.log"
				echo "# the VM of QEMU's test went idle (timeout, log in" \
					"build/vm/$arch-$kv-qemu.stalled.log): booting it once more"
			done
			[ $qrc = 0 ] || rc=$qrc
		fi
	fi
	[ $rc = 0 ] || echo "not ok - VM $1: status $rc (see build/vm/)"
	return $rc
}

# The VM stages, two at a time: each emulator is single-threaded, the
# machine has two cores. Everything is built first (selftests and kvmxctl
# are per arch, shared by the kernels), then two lanes run their stages one
# after the other, the long Intel ones first. Their output is shown at the
# end, in order.
vm_stages() {
	local lanes=("intel-6.1 x86_64-6.1 x86_64-6.12 x86_64-7.2"
		     "intel-6.12 arm64-6.1 arm64-6.12 arm64-7.2")
	local all="" pids=() name lane kv arch
	for kv in $KVMX_KERNELS; do
		for arch in x86_64 arm64; do
			make -s vm-artifacts ARCH="$arch" KERNEL="$kv" > "$logdir/build-$arch-$kv.log" 2>&1 ||
				echo "not ok - build the $arch $kv VM artifacts" >> "$logdir/build.tap"
		done
	done
	# what the x86_64 stages' kvmx_qemu_test.sh runs: Debian's QEMU, its guest
	tools/vm/qemu-bundle.sh "$top/build/qemu-bundle" > "$logdir/qemu-bundle.log" 2>&1 ||
		echo "not ok - tools/vm/qemu-bundle.sh (log: $logdir/qemu-bundle.log)" >> "$logdir/build.tap"
	for lane in "${lanes[@]}"; do
		(
			for name in $lane; do
				case " ${KVMX_CHECK_ONLY:-$name} " in
				*" $name "*) ;;
				*) continue ;;
				esac
				start=$(date +%s)
				vm_tests "$name" > "$logdir/vm-$name.out" 2>&1
				echo $? > "$logdir/vm-$name.rc"
				echo $(($(date +%s) - start)) > "$logdir/vm-$name.time"
			done
		) &
		pids+=($!)
		all="$all $lane"
	done
	wait "${pids[@]}" 2>/dev/null
	[ -e "$logdir/build.tap" ] && stage vm-build cat "$logdir/build.tap"
	for name in intel-6.1 intel-6.12 x86_64-6.1 arm64-6.1 x86_64-6.12 arm64-6.12 \
		    x86_64-7.2 arm64-7.2; do
		[ -e "$logdir/vm-$name.rc" ] || continue
		stage "vm-$name" sh -c "cat '$logdir/vm-$name.out'; exit \$(cat '$logdir/vm-$name.rc')"
	done
}

times=""
total_start=$(date +%s)
stage unit make -s unit
stage kernels kernels
stage build-sparse builds
stage dkms tools/dkms-check.sh
stage style make -s style
rm -f "$logdir"/vm-*.rc "$logdir"/vm-*.time "$logdir/build.tap"
vm_stages

echo "# wall time:$times total=$(($(date +%s) - total_start))s"
[ "$skipped" = 0 ] || echo "# $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
