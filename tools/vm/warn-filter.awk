# SPDX-License-Identifier: GPL-2.0
#
# awk -v kernel=K -v model=M [-v report=FILE] -f warn-filter.awk \
#     tools/vm/boot-warns LOG
#
# Prints LOG (a console log or dmesg) without the WARN blocks that
# tools/vm/boot-warns allows for kernel K on emulated CPU model M, so that
# the usual grep for WARNING:/BUG:/Call Trace: sees everything else. A
# block is dropped only whole, from "cut here" to "end trace", only if its
# message line (when the entry has one) and its WARNING: line are exactly
# the entry's, and only if every line of it is stamped 0.000000: it
# happened before the kernel's clock started, long before panic_on_warn is
# in force. (Copies of it that CMD prints with dmesg are dropped too.)
# report gets the number of blocks dropped.
# Plain POSIX awk: runs as mawk on the host and busybox awk in the guest.

function text(s) {		# a log line without printk's "[    0.000000] "
	sub(/^\[ *[0-9]+\.[0-9]+\] /, "", s)
	return s
}

function flush(i) {
	for (i = 1; i <= n; i++)
		print buf[i]
	n = 0
}

function allowed(i) {
	if (!time0)
		return 0
	for (i = 1; i <= entries; i++)
		if (msg[i] == "" && t2 == warn[i] ||
		    msg[i] != "" && t2 == msg[i] && t3 == warn[i])
			return 1
	return 0
}

BEGIN { dropped = 0; n = 0; entries = 0 }

# The allowlist: KERNEL|MODEL|MESSAGE|WARNING-LINE; comments and blank lines skipped.
FNR == NR {
	if ($0 ~ /^#/ || $0 !~ /[^ \t]/)
		next
	nf = split($0, f, "|")
	if (nf == 4 && f[1] == kernel && f[2] == model) {
		entries++
		msg[entries] = f[3]
		warn[entries] = f[4]
	}
	next
}

{
	line = $0
	sub(/\r$/, "", line)
	t = text(line)
	if (n == 0) {
		if (entries > 0 && t == "------------[ cut here ]------------") {
			buf[n = 1] = $0
			t2 = t3 = ""
			time0 = line ~ /^\[ *0\.000000\] /
			next
		}
		print
		next
	}
	buf[++n] = $0
	if (line !~ /^\[ *0\.000000\] /)
		time0 = 0
	if (n == 2)
		t2 = t
	else if (n == 3)
		t3 = t
	if (t ~ /---\[ end trace [0-9a-f]+ \]---$/) {
		if (allowed()) {
			dropped++
			n = 0
		} else {
			flush()
		}
	} else if (n >= 200 || !time0) {
		flush()		# not a block we allow: let the caller see it all
	}
}

END {
	flush()
	if (report != "")
		print dropped > report
}
