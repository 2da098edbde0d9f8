#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything `make check` runs, as TAP, ending with "N passed, N failed":
#   host unit tests; the module built with W=1 and checked by sparse (C=2)
#   for all four test kernels; checkpatch --strict; and the selftests in a
#   VM per kernel (x86_64 and arm64, 6.1 and 6.12).
# KVMX_CHECK_ONLY="x86_64-6.1 ..." limits the VM runs. Exit status 0 only
# if nothing failed.
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

builds() {
	for arch in x86_64 arm64; do
		for kv in $KVMX_KERNELS; do
			build_and_sparse "$arch" "$kv"
		done
	done
}

vm_tests() {
	local arch=$1 kv=$2
	make -s vm-artifacts ARCH="$arch" KERNEL="$kv" >/dev/null 2>&1 ||
		{ echo "not ok - build for the $arch $kv VM"; return 1; }
	KVMX_VM_NO_BUILD=1 tools/vm/run --arch "$arch" --kernel "$kv" --timeout 1200 \
		-- /selftests/run_tests.sh
	local rc=$?
	[ $rc = 0 ] || echo "not ok - VM $arch $kv: status $rc (see build/vm/$arch-$kv.log)"
	return $rc
}

# Two VM stages at a time: each emulator is single-threaded, the machine
# has two cores. Different arches build into different directories, so a
# pair is one kernel on both arches. Their output is shown when both end.
vm_pair() {
	local kv=$1 arch pids=() names=() name i
	rm -f "$logdir"/vm-*-"$kv".time
	for arch in x86_64 arm64; do
		name=vm-$arch-$kv
		case " ${KVMX_CHECK_ONLY:-$arch-$kv} " in
		*" $arch-$kv "*) ;;
		*) continue ;;
		esac
		(
			start=$(date +%s)
			vm_tests "$arch" "$kv" > "$logdir/$name.out" 2>&1
			echo $? > "$logdir/$name.rc"
			echo $(($(date +%s) - start)) > "$logdir/$name.time"
		) &
		pids+=($!) names+=("$name")
	done
	wait "${pids[@]}" 2>/dev/null
	for i in "${!names[@]}"; do
		name=${names[$i]}
		stage "$name" sh -c "cat '$logdir/$name.out'; exit \$(cat '$logdir/$name.rc')"
	done
}

times=""
total_start=$(date +%s)
stage unit make -s unit
stage build-sparse builds
stage style make -s style
for kv in $KVMX_KERNELS; do
	vm_pair "$kv"
done

echo "# wall time:$times total=$(($(date +%s) - total_start))s"
[ "$skipped" = 0 ] || echo "# $skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
