#!/usr/bin/python3
"""Generates tests/unit/data/fields.cases (APScheduler CronTrigger field form).

Every row is computed two ways:
  apscheduler - python3-apscheduler 3.9.1 CronTrigger with a pytz zone;
                get_next_fire_time(None, AFTER + 1 s) is the first firing
                >= AFTER + 1 s, i.e. strictly after a whole-second AFTER
  brute       - fieldsrule.py + common.brute_next (SPEC section 3 literally)
Rows whose (AFTER, EXPECTED] holds a UTC-offset change are dropped.
Disagreements are resolved by hand from SPEC; verdicts in FAULTS.

Run: /usr/bin/python3 tests/oracle/gen_fields.py > tests/unit/data/fields.cases
"""

import random
import sys

from apscheduler.triggers.cron import CronTrigger

import common
from common import ONE, UTC, crosses_offset_change, fmt_in, utc, zone
from fieldsrule import FieldsRule

# (fields in the order written, zones, what it covers)
SETS = [
    ('day_of_week=mon-fri; hour=9-17; minute=*/5', ['UTC', 'Europe/Berlin'], 'SPEC example'),
    ('hour=*/2', ['UTC', 'Asia/Kolkata'], 'minute, second default to 0'),
    ('minute=*/15', ['UTC', 'America/New_York'], 'second defaults to 0, hour *'),
    ('second=*/20', ['UTC'], 'every 20 s'),
    ('second=30', ['Asia/Kolkata'], 'second 30 of every minute'),
    ('minute=5; second=30', ['UTC'], 'hour * (more significant)'),
    ('hour=3', ['Europe/Berlin', 'Australia/Sydney'], 'daily 03:00:00 by defaults'),
    ('minute=30', ['America/Sao_Paulo'], 'every hour at :30'),
    ('second=0', ['UTC'], 'every minute'),
    ('minute=*', ['Asia/Tokyo'], 'every minute, second 0'),
    ('second=*', ['UTC'], 'every second'),
    ('hour=0; minute=0; second=0', ['America/New_York'], 'daily midnight'),
    ('hour=23; minute=59; second=59', ['UTC'], 'last second of the day'),
    ('hour=9-17/4; minute=0,30', ['UTC'], 'hour a-b/n, minute list'),
    ('minute=0-10/5', ['UTC'], 'minute a-b/n'),
    ('minute=7/20', ['UTC'], 'a/n: from 7 every 20'),
    ('day=last', ['UTC', 'Asia/Kolkata'], 'last day of month, 00:00'),
    ('day=last; hour=23; minute=59', ['UTC'], 'last day, late'),
    ('month=2; day=last', ['UTC'], 'end of February, leap years'),
    ('day=last fri', ['UTC', 'Europe/Berlin'], 'last friday'),
    ('day=3rd mon', ['UTC', 'America/New_York'], 'third monday'),
    ('day=1st sun; hour=12', ['Australia/Sydney'], 'first sunday'),
    ('day=5th wed', ['UTC'], 'fifth wednesday: months without one skipped'),
    ('day=2nd tue; hour=18', ['UTC'], 'second tuesday'),
    ('month=nov; day=4th thu', ['America/New_York'], 'fourth thursday of november'),
    ('month=3,6,9,12; day=3rd fri; hour=16', ['UTC'], 'quarterly third friday'),
    ('day=1,15,last', ['UTC'], 'list with last'),
    ('day=1st mon,last fri', ['UTC'], 'two weekday positions'),
    ('month=2; day=29', ['UTC', 'Asia/Kolkata'], 'leap day'),
    ('day=31', ['UTC'], 'day 31: short months skipped'),
    ('day=10-20/5; hour=6', ['UTC'], 'day a-b/n'),
    ('day=*/10', ['UTC'], 'day */10: 1,11,21,31'),
    ('month=6', ['UTC', 'Europe/Berlin'], 'day and time default: june 1st 00:00'),
    ('month=jan-mar; day=1', ['UTC'], 'month name range'),
    ('month=Dec; day=25; hour=8', ['Europe/Berlin'], 'mixed case month'),
    ('month=*/3; day=last; hour=12', ['UTC'], 'month step 1,4,7,10'),
    ('year=2026', ['UTC'], 'single year, defaults: 2026-01-01 00:00'),
    ('year=2025-2027; month=*/4', ['UTC'], 'year range, month step'),
    ('year=*/2; month=7; day=4', ['UTC'], 'year */2 counts from 1970: even years'),
    ('year=2028,2032; month=2; day=29; hour=12', ['UTC'], 'year list, leap day'),
    ('week=1', ['UTC'], 'ISO week 1, every day'),
    ('week=1; day_of_week=mon', ['UTC'], 'monday of ISO week 1'),
    ('week=*/2; day_of_week=mon', ['UTC'], 'odd ISO weeks'),
    ('week=53', ['UTC'], 'ISO week 53 only in long years'),
    ('week=10-12; day_of_week=fri; hour=18', ['UTC'], 'week range'),
    ('week=52-53; day_of_week=fri', ['UTC'], 'last ISO weeks, year boundary'),
    ('day_of_week=0', ['UTC'], '0 = monday'),
    ('day_of_week=6; hour=7; minute=30', ['Asia/Kolkata'], '6 = sunday'),
    ('day_of_week=sat,sun; hour=10', ['UTC', 'America/Sao_Paulo'], 'weekend names'),
    ('day_of_week=*/2', ['UTC'], 'dow */2: mon,wed,fri,sun'),
    ('day_of_week=MON-Fri; hour=8', ['UTC'], 'mixed case names'),
    ('day_of_week=1-3; hour=12', ['UTC'], 'numeric range: tue-thu'),
    ('day=*/2; day_of_week=mon', ['UTC'], 'day AND day_of_week'),
    ('day=13; day_of_week=fri', ['UTC'], 'friday the 13th (AND)'),
    ('day=1-7; day_of_week=tue', ['UTC', 'Europe/Berlin'], 'first tuesday via AND'),
    ('day=last; day_of_week=sun', ['UTC'], 'last day that is a sunday'),
    ('hour=12; day_of_week=sun', ['Asia/Kolkata'], 'order given does not matter'),
    ('month=2; day_of_week=mon; hour=9', ['UTC'], 'mondays in february'),
]

AFTERS = [
    utc(2024, 1, 1), utc(2024, 2, 28, 12), utc(2024, 6, 15, 8, 30, 15), utc(2024, 12, 31, 23, 59, 59),
    utc(2025, 7, 4, 17, 45), utc(2023, 2, 27), utc(2028, 2, 28, 23), utc(2025, 11, 30, 23, 59),
    utc(2026, 5, 10, 10, 10, 10), utc(2027, 9, 30, 22, 0, 1), utc(2025, 1, 31, 11, 59, 59),
    utc(2026, 12, 27, 0, 0, 0), utc(2029, 8, 15, 15, 15, 15),
]

# Rows that start just after a DST change (the interval holds none):
# APScheduler 3.9's day skipping after a spring-forward change (its issue
# #529) would show here.
EXTRA = [
    ('hour=2; minute=30', 'Europe/Berlin', utc(2024, 3, 31, 1, 0, 0)),
    ('hour=2; minute=30', 'Europe/Berlin', utc(2024, 3, 31, 1, 30)),
    ('hour=3', 'Europe/Berlin', utc(2024, 3, 31, 1)),
    ('day_of_week=mon-fri; hour=9-17; minute=*/5', 'Europe/Berlin', utc(2024, 3, 31, 1)),
    ('hour=2', 'America/New_York', utc(2024, 3, 10, 7)),
    ('minute=30', 'America/New_York', utc(2024, 3, 10, 7)),
    ('day=last; hour=2; minute=30', 'Europe/Berlin', utc(2024, 3, 31, 1)),
    ('hour=12', 'Europe/Berlin', utc(2024, 3, 31, 2)),
    ('hour=2; minute=30', 'Australia/Sydney', utc(2024, 10, 5, 16, 30)),
    ('hour=1; minute=30', 'Europe/Berlin', utc(2024, 10, 27, 1, 0)),
    ('hour=2; minute=30', 'America/New_York', utc(2024, 11, 3, 6, 0)),
]

FAULTS = {}


def fields_dict(text):
    out = {}
    for part in text.split(';'):
        k, v = part.split('=', 1)
        out[k.strip()] = v.strip()
    return out


def run_aps(fields, zname, after):
    z = zone(zname)
    try:
        t = CronTrigger(timezone=z, **fields)
        r = t.get_next_fire_time(None, (after + ONE).astimezone(z))
    except Exception as e:  # noqa: BLE001
        return None, 'error: %s' % e
    return (r.astimezone(UTC) if r else None), None


def main():
    rnd = random.Random(1529)
    rows = []
    dis = []
    agree = {}
    plans = []
    for text, zones, what in SETS:
        for zname in zones:
            starts = rnd.sample(AFTERS, 2)
            plans.append((text, zname, what, [(starts[0], 3), (starts[1], 1)]))
    for text, zname, start in EXTRA:
        plans.append((text, zname, 'just after a DST change', [(start, 2)]))
    for text, zname, what, plan in plans:
        fields = fields_dict(text)
        rule = FieldsRule(fields)
        if True:
            for start, chain in plan:
                after = start
                for _ in range(chain):
                    b = common.brute_next(rule, zname, after)
                    a, err = run_aps(fields, zname, after)
                    if b is None:
                        print('no firing %s %s %s' % (text, zname, after), file=sys.stderr)
                        break
                    if crosses_offset_change(zname, after, b):
                        after = b
                        continue
                    if a == b:
                        key = 'apscheduler+brute'
                        note = '%s; %s' % (what, key)
                    else:
                        got = fmt_in(a, zname) if a else err
                        why = FAULTS.get(text)
                        dis.append((text, zname, fmt_in(after, zname), fmt_in(b, zname), got, why))
                        key = 'brute'
                        note = '%s; brute; apscheduler gave %s (%s)' % (what, got, why or 'UNRESOLVED')
                    agree[key] = agree.get(key, 0) + 1
                    a_txt = fmt_in(after, 'UTC') if len(rows) % 5 == 4 else fmt_in(after, zname)
                    rows.append((text, zname, a_txt, fmt_in(b, zname), note))
                    after = b
    print('# fields.cases - APScheduler CronTrigger field form (SPEC section 3).')
    print('# Generated by tests/oracle/gen_fields.py; do not edit by hand.')
    print('# FIELDS | ZONE | AFTER (exclusive) | EXPECTED | note')
    print('# day_of_week 0 = monday; fields after the least significant given one')
    print('# default to their minimum, earlier ones to *; day AND day_of_week; ISO week.')
    print('# note: what the row covers; which computations agreed (apscheduler 3.9.1,')
    print('# brute = literal brute force). No row crosses a UTC-offset change.')
    w = max(len(r[0]) for r in rows)
    for r in rows:
        print('%-*s | %-16s | %s | %s | %s' % (w, r[0], r[1], r[2], r[3], r[4]))
    print('rows %d agreement %s' % (len(rows), agree), file=sys.stderr)
    for d in dis:
        print('DISAGREE %r %s after=%s brute=%s aps=%s why=%s' % d, file=sys.stderr)


if __name__ == '__main__':
    main()
