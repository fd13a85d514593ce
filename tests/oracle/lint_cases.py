#!/usr/bin/python3
"""Format check of every tests/unit/data/*.cases file, and a re-check of
the oracle files from their printed text: column counts, RFC 3339 with an
explicit offset, EXPECTED printed with the zone's offset, AFTER < EXPECTED,
and (cron, fields, dst) the brute force recomputed from the parsed row.

Run: /usr/bin/python3 tests/oracle/lint_cases.py
"""

import glob
import os
import sys

import common
from cronrule import CronRule
from fieldsrule import FieldsRule, parse_fields
from gen_interval import brute as interval_brute

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'unit', 'data')
COLS = {'cron.cases': 4, 'dst.cases': 4, 'fields.cases': 4, 'interval.cases': 5,
        'cron-invalid.cases': 1, 'fields-invalid.cases': 1}


def main():
    bad = 0
    for path in sorted(glob.glob(os.path.join(DATA, '*.cases'))):
        name = os.path.basename(path)
        need = COLS[name]
        n_rows = 0
        for n, line in enumerate(open(path), 1):
            s = line.strip()
            if not s or s.startswith('#'):
                continue
            n_rows += 1
            cols = [c.strip() for c in s.split('|')]
            if len(cols) not in (need, need + 1) or not all(cols[:need]):
                print('%s:%d: %d columns' % (name, n, len(cols)))
                bad += 1
                continue
            if need == 1:
                continue
            if name == 'interval.cases':
                iv, start_s, zname, after_s, exp_s = cols[:5]
            else:
                expr, zname, after_s, exp_s = cols[:4]
            try:
                after, exp = common.parse(after_s), common.parse(exp_s)
                common.zone(zname)
            except Exception as e:  # noqa: BLE001
                print('%s:%d: %s' % (name, n, e))
                bad += 1
                continue
            if common.fmt_in(exp, zname) != exp_s or not after < exp:
                print('%s:%d: EXPECTED offset or order' % (name, n))
                bad += 1
            if name == 'interval.cases':
                b, _ = interval_brute(iv, common.parse(start_s), after)
            elif name == 'fields.cases':
                b = common.brute_next(FieldsRule(parse_fields(expr)), zname, after)
            else:
                r = CronRule(expr)
                b = common.brute_next(r, zname, after, 366 * 260 if r.years else 366 * 30)
            if b != exp:
                print('%s:%d: brute force says %s' % (name, n, common.fmt_in(b, zname)))
                bad += 1
            if name in ('cron.cases', 'fields.cases') and common.crosses_offset_change(zname, after, exp):
                print('%s:%d: crosses an offset change' % (name, n))
                bad += 1
        print('%-22s %4d rows' % (name, n_rows))
    print('%d problems' % bad)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
