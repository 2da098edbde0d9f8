#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gen_kernel_reasons.sh KSRC: a C header listing every exit reason a kernel
# source tree defines: EXIT_REASON_* (asm/vmx.h), SVM_EXIT_* (asm/svm.h) and
# ESR_ELx_EC_* (arm64 asm/esr.h), as { value, "NAME" } tables.
set -e
ksrc=$1
vmx=$ksrc/arch/x86/include/uapi/asm/vmx.h
svm=$ksrc/arch/x86/include/uapi/asm/svm.h
esr=$ksrc/arch/arm64/include/asm/esr.h

echo "/* generated from $ksrc by gen_kernel_reasons.sh */"
echo "static const struct kernel_reason kernel_vmx_defs[] = {"
sed -n 's/^#define EXIT_REASON_\([A-Z0-9_]*\)[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\t{ \2, "\1" },/p' "$vmx"
echo "};"
echo "static const struct kernel_reason kernel_svm_defs[] = {"
sed -n 's/^#define SVM_EXIT_\([A-Z0-9_]*\)[[:space:]]\{1,\}\(0x[0-9a-fA-F]\{1,\}\).*/\t{ \2, "\1" },/p' "$svm" |
	grep -v -e '"EXCP_BASE"' -e '"LAST_EXCP"' -e '"SW"'
echo "};"
echo "static const struct kernel_reason kernel_esr_ec_defs[] = {"
sed -n 's/^#define ESR_ELx_EC_\([A-Za-z0-9_]*\)[[:space:]]\{1,\}\(UL\)\{0,1\}(\(0x[0-9a-fA-F]\{1,\}\)).*/\t{ \3, "\1" },/p' "$esr" |
	grep -v '"MAX"'
echo "};"
