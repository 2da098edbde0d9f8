#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The calls between kvmx's module files, from the global kvmx_* functions
each file defines and the names each file uses (static inline helpers of
kvmx.h count for the file that uses them). x86.c and arm64.c are one node,
"arch": the arch's interface is called from above and calls up, as KVM's
kvm_arch_* is. Prints the graph; with --check, exit status 1 (and the
circle) if two generic files call each other."""
import collections
import glob
import os
import re
import sys

ARCH = ('x86.c', 'arm64.c')


def strip(s):
    s = re.sub(r'/\*.*?\*/', ' ', s, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', s)


def main():
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'module')
    src = {}
    for path in sorted(glob.glob(os.path.join(top, '*.c'))):
        name = os.path.basename(path)
        src['arch' if name in ARCH else name] = src.get('arch', '') + strip(open(path).read()) \
            if name in ARCH else strip(open(path).read())
    hdr = strip(open(os.path.join(top, 'kvmx.h')).read())
    # kvmx.h's inline helpers: the functions they call are called by their users
    inline = {}
    for m in re.finditer(r'static inline [^;{]*?\b(kvmx_\w+)\([^)]*\)\s*\{(.*?)\n\}', hdr, re.S):
        inline[m.group(1)] = set(re.findall(r'\b(kvmx_\w+)\(', m.group(2)))
    defs = {}
    for f, s in src.items():
        for m in re.finditer(r'^(?!static)[a-z][^\n;(]*?\b(kvmx_\w+)\(', s, re.M):
            defs.setdefault(m.group(1), f)
    edges = collections.defaultdict(set)
    for f, s in src.items():
        used = set(re.findall(r'\b(kvmx_\w+)\b', s))
        for u in list(used):
            used |= inline.get(u, set())
        for u in used:
            d = defs.get(u)
            if d and d != f:
                edges[f].add(d)
    for f in sorted(src):
        print('%-14s -> %s' % (f, ' '.join(sorted(edges[f])) or '(nothing of kvmx\'s)'))
    bad = [(a, b) for a in sorted(src) for b in sorted(src)
           if a < b and 'arch' not in (a, b) and b in edges[a] and a in edges[b]]
    for a, b in bad:
        print('circle: %s <-> %s' % (a, b))
    if '--check' in sys.argv[1:]:
        return 1 if bad else 0
    return 0


if __name__ == '__main__':
    sys.exit(main())
