#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vm/qemu-bundle.sh OUTDIR
#
# Assembles OUTDIR for tools/vm/run --extra (under /extra in the x86_64
# test VM): Debian's own QEMU, to run as a real VMM with -accel kvm there.
#   qemu/qemu-system-x86_64   the host's binary (package qemu-system-x86)
#   qemu/lib/                 every shared library it needs (ldd) and the
#                             dynamic loader, which runs it from there
#   qemu/share/               the firmware of a -nodefaults -kernel boot on
#                             the pc machine: SeaBIOS, linuxboot_dma, kvmvapic
#   qemu/l2/bzImage           the L2 guest's kernel: Debian's 6.1 (whatever
#                             kernel the test VM boots: 7.2 has no /dev/mem)
#   qemu/l2/initramfs.cpio.gz busybox (static) and tools/vm/qemu-l2-init
#   qemu/l2.sh                tools/vm/qemu-l2.sh: start QEMU, run rounds
#   demo.sh                   tools/demo/demo.sh, for make demo
# Idempotent: a file is copied only if it changed (size or time), the L2
# initramfs packed only if an input is newer; what is no longer needed goes.
# Prints the bundle's size.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
TOP=$top DEPS=${DEPS:-$top/.deps}
. "$top/tools/kernels.sh"

[ $# = 1 ] || { sed -n '4p' "$0" | sed 's/^# /usage: /' >&2; exit 2; }
out=$1
q=$out/qemu
qemu=${KVMX_QEMU:-/usr/bin/qemu-system-x86_64}
fwpath="/usr/share/qemu /usr/share/seabios"
firmware="bios-256k.bin linuxboot_dma.bin kvmvapic.bin"

[ -x "$qemu" ] || { echo "qemu-bundle: no $qemu (apt install qemu-system-x86)" >&2; exit 1; }
kernel_paths 6.1 x86_64 ||
	{ echo "qemu-bundle: no 6.1 x86_64 kernel at $KIMAGE; run tools/deps.sh" >&2; exit 1; }
mkdir -p "$q/lib" "$q/share" "$q/l2"

# put SRC DST: copy SRC (following links) to DST unless DST has its size
# and modification time already
put() {
	if [ "$(stat -Lc %s.%Y "$1")" != "$(stat -c %s.%Y "$2" 2>/dev/null)" ]; then
		rm -f "$2"
		cp -L --preserve=timestamps,mode "$1" "$2"
	fi
}

put "$qemu" "$q/qemu-system-x86_64"

# The libraries, by the names the binary and its libraries ask for (ldd
# resolves them all, recursively), and the loader by its own name.
libs=""
while read -r name arrow path _; do
	case "$name" in linux-vdso.so.*) continue ;; esac
	if [ "$arrow" = "=>" ]; then
		[ "$path" != "not" ] || { echo "qemu-bundle: $name: not found" >&2; exit 1; }
		put "$path" "$q/lib/$name"
		libs="$libs $name"
	elif [ "${name#/}" != "$name" ]; then
		put "$name" "$q/lib/$(basename "$name")"
		libs="$libs $(basename "$name")"
	fi
done < <(ldd "$qemu")
case " $libs " in
*" ld-linux-x86-64.so.2 "*) ;;
*) echo "qemu-bundle: ldd named no ld-linux-x86-64.so.2" >&2; exit 1 ;;
esac
for f in "$q/lib"/*; do
	case " $libs " in *" ${f##*/} "*) ;; *) rm -f "$f" ;; esac
done

for fw in $firmware; do
	src=""
	for d in $fwpath; do
		[ -e "$d/$fw" ] && { src=$d/$fw; break; }
	done
	[ -n "$src" ] || { echo "qemu-bundle: no $fw in $fwpath" >&2; exit 1; }
	put "$src" "$q/share/$fw"
done
for f in "$q/share"/*; do
	case " $firmware " in *" ${f##*/} "*) ;; *) rm -f "$f" ;; esac
done

put "$KIMAGE" "$q/l2/bzImage"
put "$top/tools/vm/qemu-l2.sh" "$q/l2.sh"
put "$top/tools/demo/demo.sh" "$out/demo.sh"

# The L2's initramfs: the static busybox the test VM uses too, and /init
# (the kernel's built-in initramfs has /dev/console).
ird=$q/l2/initramfs.cpio.gz
if [ ! -e "$ird" ] || [ /bin/busybox -nt "$ird" ] ||
   [ "$top/tools/vm/qemu-l2-init" -nt "$ird" ] || [ "$0" -nt "$ird" ]; then
	file -L /bin/busybox | grep -q 'statically linked' ||
		{ echo "qemu-bundle: /bin/busybox is not static (apt install busybox-static)" >&2; exit 1; }
	/bin/busybox --list | grep -qx devmem ||
		{ echo "qemu-bundle: /bin/busybox has no devmem" >&2; exit 1; }
	s=$(mktemp -d "$out/.l2.XXXXXX")
	mkdir -p "$s/bin"
	cp /bin/busybox "$s/bin/busybox"
	install -m 755 "$top/tools/vm/qemu-l2-init" "$s/init"
	(cd "$s" && find . | sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n > "$ird.tmp"
	mv "$ird.tmp" "$ird"
	rm -rf "$s"
fi

echo "qemu-bundle: $out: $(du -sb "$out" | cut -f1) bytes" \
	"(qemu $(stat -c %s "$q/qemu-system-x86_64"), lib $(du -sb "$q/lib" | cut -f1)," \
	"share $(du -sb "$q/share" | cut -f1), l2 $(du -sb "$q/l2" | cut -f1))"
