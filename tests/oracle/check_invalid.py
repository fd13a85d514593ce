#!/usr/bin/python3
"""Checks the hand-written cron-invalid.cases and fields-invalid.cases.

A row passes when the reference parser (cronrule.py / fieldsrule.py)
refuses it, or, for "never fires" rows, accepts it but the brute force
finds no firing up to 2225. For the record (-v) it prints which rows the
oracles accept (croniter, systemd-analyze, APScheduler): those oracles are
more lenient than SPEC, which refuses such schedules.

Run: /usr/bin/python3 tests/oracle/check_invalid.py [-v]
"""

import datetime as dt
import os
import subprocess
import sys

from apscheduler.triggers.cron import CronTrigger
from croniter import croniter

import common
from cronrule import CronRule
from fieldsrule import FieldsRule, parse_fields
from gen_cron import croniter_expr, systemd_specs

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'unit', 'data')
AFTER = common.utc(2024, 1, 1)


def rows(name):
    for n, line in enumerate(open(os.path.join(DATA, name)), 1):
        s = line.strip()
        if not s or s.startswith('#'):
            continue
        expr, why = [c.strip() for c in s.rsplit('|', 1)]
        yield n, expr, why


def never(rule):
    return common.brute_next(rule, 'UTC', AFTER, max_days=366 * 203) is None


def check(name, parse, oracles, verbose):
    bad = total = 0
    for n, expr, why in rows(name):
        total += 1
        try:
            rule = parse(expr)
        except (ValueError, KeyError):
            rule = None
        if rule is not None:
            if not why.startswith('never fires') or not never(rule):
                print('%s:%d: %r is accepted by the reference parser (%s)' % (name, n, expr, why))
                bad += 1
        elif why.startswith('never fires'):
            print('%s:%d: %r: refused by the parser, but noted as never firing' % (name, n, expr))
            bad += 1
        if verbose:
            acc = [o for o, f in oracles if f(expr)]
            if acc:
                print('%s:%d: %-24s accepted by %s (%s)' % (name, n, expr, ', '.join(acc), why))
    print('%s: %d rows, %d bad' % (name, total, bad))
    return bad


def croniter_ok(expr):
    ce = croniter_expr(expr)
    if ce is None:
        return False
    try:
        croniter(ce, AFTER)
        return True
    except Exception:  # noqa: BLE001
        return False


def systemd_ok(expr):
    try:
        specs = systemd_specs(CronRule(expr))
    except (ValueError, KeyError):
        return False  # cannot translate what we cannot parse
    if not specs:
        return False
    p = subprocess.run(['systemd-analyze', 'calendar', '--base-time=@%d' % AFTER.timestamp()] +
                       ['%s UTC' % s for s in specs], capture_output=True, text=True)
    return p.returncode == 0


def aps_ok(text):
    try:
        fields = {}
        for part in text.split(';'):
            k, v = part.split('=', 1)
            fields[k.strip()] = v.strip()
        CronTrigger(timezone=common.UTC, **fields)
        return True
    except Exception:  # noqa: BLE001
        return False


def main():
    v = '-v' in sys.argv
    bad = check('cron-invalid.cases', CronRule,
                [('croniter', croniter_ok), ('systemd', systemd_ok)], v)
    bad += check('fields-invalid.cases', lambda t: FieldsRule(parse_fields(t)),
                 [('apscheduler', aps_ok)], v)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
