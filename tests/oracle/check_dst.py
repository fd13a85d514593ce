#!/usr/bin/python3
"""Checks the hand-written tests/unit/data/dst.cases.

Each row is recomputed by the brute force (cronrule.py + common.brute_next,
SPEC section 3's DST rule applied literally). A mismatch is an error: fix
the row or the rule, by hand. For the record it also prints what croniter
and systemd say (neither implements the rule; their answers are not used).

Run: /usr/bin/python3 tests/oracle/check_dst.py [-v] [FILE]
"""

import os
import sys

import common
from cronrule import CronRule
from gen_cron import run_croniter, run_systemd

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(path):
    for n, line in enumerate(open(path), 1):
        s = line.strip()
        if not s or s.startswith('#'):
            continue
        cols = [c.strip() for c in s.split('|')]
        yield n, cols


def main():
    args = [a for a in sys.argv[1:] if a != '-v']
    verbose = '-v' in sys.argv
    path = args[0] if args else os.path.join(HERE, '..', 'unit', 'data', 'dst.cases')
    bad = total = 0
    faults = {'croniter': 0, 'systemd': 0}
    for n, cols in rows(path):
        expr, zname, after_s, exp_s = cols[:4]
        total += 1
        after = common.parse(after_s)
        exp = common.parse(exp_s)
        if common.fmt_in(exp, zname) != exp_s:
            print('%d: EXPECTED %s is not printed with the zone offset (%s)'
                  % (n, exp_s, common.fmt_in(exp, zname)))
            bad += 1
        rule = CronRule(expr)
        b = common.brute_next(rule, zname, after)
        if b != exp:
            print('%d: %s %s after %s: row says %s, brute force says %s'
                  % (n, expr, zname, after_s, exp_s, common.fmt_in(b, zname)))
            bad += 1
        for name, (v, err) in (('croniter', run_croniter(expr, zname, after)),
                               ('systemd', run_systemd(rule, zname, after))):
            if err == 'n/a' or v == exp:
                continue
            faults[name] += 1
            if verbose:
                print('%d: %-14s %-19s after %s: %s gives %s (SPEC: %s)'
                      % (n, expr, zname, after_s, name,
                         common.fmt_in(v, zname) if v else err, exp_s))
    print('%d rows, %d bad; oracle answers differing from SPEC: %s' % (total, bad, faults))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
