#!/bin/sh
# Regenerates the oracle-checked data files and checks the hand-written ones.
# Needs Debian's python (python3-apscheduler, python3-croniter, python3-tz)
# and systemd-analyze. Run from anywhere.
set -e
here=$(cd "$(dirname "$0")" && pwd)
data="$here/../unit/data"
py=/usr/bin/python3
$py "$here/gen_cron.py"     > "$data/cron.cases"
$py "$here/gen_fields.py"   > "$data/fields.cases"
$py "$here/gen_interval.py" > "$data/interval.cases"
$py "$here/check_dst.py"
$py "$here/check_invalid.py"
$py "$here/lint_cases.py"
