#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: benchmarks that print ratios measured side by side in one run.
# None yet: the exit-observation overhead benchmark arrives with the
# exit-observation work.
echo "# no benchmarks yet"
