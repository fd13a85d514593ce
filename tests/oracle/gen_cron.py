#!/usr/bin/python3
"""Generates tests/unit/data/cron.cases (Unix cron string form).

Every row is computed three ways where possible:
  brute    - cronrule.py + common.brute_next: SPEC section 3 applied literally
  croniter - python3-croniter 1.3.5 with pytz zones
  systemd  - `systemd-analyze calendar`, the expression translated to one
             or more OnCalendar specs (the OR day rule becomes a union:
             the earliest next elapse over the specs)
Rows whose (AFTER, EXPECTED] holds a UTC-offset change are dropped (they
belong in dst.cases). Disagreements are resolved by hand from SPEC; the
verdicts are in FAULTS below and end up in the note column.

Run: /usr/bin/python3 tests/oracle/gen_cron.py > tests/unit/data/cron.cases
"""

import datetime as dt
import random
import subprocess
import sys

from croniter import croniter

import common
from common import fmt_in, utc, zone, crosses_offset_change
from cronrule import CronRule, DAYS

# ----------------------------------------------------------------- oracles

def croniter_expr(expr):
    """SPEC expression -> croniter 1.3.5 syntax, or None if it has no
    equivalent (W, LW, L-n, a year other than *)."""
    e = expr.strip()
    if e.startswith('@'):
        return e
    f = e.split()
    if len(f) == 7:
        if f[6] != '*':
            return None
        f = f[:6]
    if len(f) == 6:  # croniter puts seconds last
        f = f[1:] + f[:1]
    out = []
    for i, x in enumerate(f):
        if x == '?' and i in (2, 4):
            x = '*'
        if i == 2:
            for it in x.split(','):
                u = it.upper()
                if 'W' in u or u.startswith('L-'):
                    return None
        if i == 4:
            items = []
            for it in x.split(','):
                if len(it) >= 2 and it[-1] in 'lL' and it.lower() not in DAYS:
                    w = it[:-1].lower()
                    it = 'L%d' % (DAYS.index(w) if w in DAYS else int(w) % 7)
                items.append(it)
            x = ','.join(items)
        out.append(x)
    return ' '.join(out)


def run_croniter(expr, zname, after):
    ce = croniter_expr(expr)
    if ce is None:
        return None, 'n/a'
    z = zone(zname)
    try:
        r = croniter(ce, after.astimezone(z)).get_next(dt.datetime)
    except Exception as e:  # noqa: BLE001 - an oracle failure is data
        return None, 'error: %s' % str(e).split('\n')[0][:60]
    return r.astimezone(common.UTC), None


def _lst(vals, full, width=2):
    vals = sorted(vals)
    if list(vals) == list(full):
        return '*'
    return ','.join('%0*d' % (width, v) for v in vals)


def systemd_specs(rule):
    """CronRule -> list of OnCalendar specs (no zone), or None."""
    time = '%s:%s:%s' % (_lst(rule.hours, range(24)), _lst(rule.minutes, range(60)),
                         _lst(rule.seconds, range(60)))
    if rule.years and max(rule.years) > 2199:
        return None  # systemd's calendar stops at 2199
    year = '*' if rule.years is None else ','.join(str(y) for y in sorted(rule.years))
    month = _lst(rule.months, range(1, 13))
    # day specs: '*', a set of days, or ('~', 'NN' or '07/1')
    dom = []
    for it in rule.dom_items:
        if it[0] == 'set':
            dom.append('*' if it[1] == set(range(1, 32)) else frozenset(it[1]))
        elif it[0] == 'L':
            if it[1] > 27:
                return None  # systemd's ~NN stops at ~28
            dom.append(('~', '%02d' % (it[1] + 1)))
        else:
            return None  # W, LW
    dow = []  # (weekday set or None, day spec)
    for it in rule.dow_items:
        if it[0] == 'set':
            dow.append((None, '*') if it[1] == set(range(7)) else (frozenset(it[1]), '*'))
        elif it[0] == 'nth':
            n = it[2]
            dow.append((frozenset([it[1]]), frozenset(range(7 * n - 6, min(7 * n, 31) + 1))))
        else:
            dow.append((frozenset([it[1]]), ('~', '07/1')))

    def inter(a, b):
        if a == '*':
            return b
        if b == '*':
            return a
        if isinstance(a, frozenset) and isinstance(b, frozenset):
            return a & b or 'empty'
        return None

    clauses = []
    if rule.day_or:
        clauses = [(None, d) for d in dom] + dow
    else:
        for d in dom:
            for w, ds in dow:
                x = inter(d, ds)
                if x is None:
                    return None
                if x != 'empty':
                    clauses.append((w, x))
    names = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
    specs = []
    for w, ds in clauses:
        wd = '' if w is None else ','.join(names[i] for i in sorted(w)) + ' '
        if ds == '*':
            date = '%s-%s-*' % (year, month)
        elif isinstance(ds, frozenset):
            date = '%s-%s-%s' % (year, month, ','.join('%02d' % d for d in sorted(ds)))
        else:
            date = '%s-%s~%s' % (year, month, ds[1])
        specs.append('%s%s %s' % (wd, date, time))
    return specs or None


def run_systemd(rule, zname, after):
    specs = systemd_specs(rule)
    if specs is None:
        return None, 'n/a'
    base = '@%d' % int(after.timestamp())
    args = ['systemd-analyze', 'calendar', '--base-time=' + base, '--iterations=1']
    args += ['%s %s' % (s, zname) for s in specs]
    p = subprocess.run(args, capture_output=True, text=True, env={'TZ': 'UTC', 'LC_ALL': 'C'})
    if p.returncode != 0:
        return None, 'error: ' + p.stderr.strip()[:60]
    best = None
    for line in p.stdout.splitlines():
        line = line.strip()
        if line.startswith('Next elapse:'):
            v = line.split(':', 1)[1].strip()
            if v == 'never':
                continue
            # "Fri 2024-03-29 01:30:00 UTC"
            parts = v.split()
            t = common.UTC.localize(dt.datetime.strptime(parts[1] + ' ' + parts[2], '%Y-%m-%d %H:%M:%S'))
            best = t if best is None or t < best else best
    return best, None


# ----------------------------------------------------------------- cases

Z = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney',
     'America/Sao_Paulo', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/St_Johns',
     'Asia/Tokyo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']

# (expression, zones, what it covers)
EXPRS = [
    # plain 5-field
    ('* * * * *', ['UTC', 'Asia/Kolkata'], 'every minute'),
    ('0 * * * *', ['UTC', 'Asia/Kathmandu'], 'hourly at :00'),
    ('30 2 * * *', ['Europe/Berlin', 'UTC'], 'daily fixed time'),
    ('30 2 * * mon-fri', ['Europe/Berlin'], 'weekday range by name'),
    ('0 0 1 1 *', ['UTC', 'Australia/Sydney', 'Pacific/Kiritimati'], 'new year: year rollover'),
    ('59 23 31 12 *', ['UTC', 'America/New_York'], 'last minute of the year'),
    ('15 10 * * *', ['America/Sao_Paulo', 'Pacific/Chatham'], 'daily, odd offsets'),
    ('0 12 31 * *', ['UTC', 'Asia/Tokyo'], 'day 31: months without it are skipped'),
    ('0 0 30 * *', ['UTC'], 'day 30: February skipped'),
    ('0 0 29 2 *', ['UTC', 'Europe/Berlin'], 'leap day only'),
    ('0 6 28-31 2 *', ['UTC'], 'end of February, leap and not'),
    ('45 23 * * *', ['America/St_Johns', 'Pacific/Pago_Pago'], 'late evening, negative offsets'),
    ('0 0 * * *', ['Asia/Kolkata', 'Pacific/Chatham'], 'midnight'),
    # lists, ranges, steps
    ('0,15,30,45 * * * *', ['UTC'], 'minute list'),
    ('5,10 8,20 * * *', ['Asia/Kolkata'], 'lists in two fields'),
    ('10-20 * * * *', ['UTC'], 'minute range'),
    ('*/7 * * * *', ['UTC', 'Asia/Kathmandu'], '*/7: 0,7..56 then next hour at 0'),
    ('5-50/15 * * * *', ['UTC'], 'a-b/n: 5,20,35,50'),
    ('*/45 * * * *', ['UTC'], '*/45: 0 and 45'),
    ('0 */5 * * *', ['UTC', 'Asia/Tokyo'], 'hour step 0,5,10,15,20'),
    ('0 8-18/2 * * *', ['Europe/Berlin'], 'hour a-b/n'),
    ('0 0 */3 * *', ['UTC'], 'dom step: 1,4,..31 (AND with dow *)'),
    ('0 0 1 */4 *', ['UTC'], 'month step: jan,may,sep'),
    ('0 0 * * 1-5/2', ['UTC'], 'dow a-b/n: mon,wed,fri'),
    ('0 9 1-7 * *', ['America/New_York'], 'dom range'),
    ('0 0 1,15 * *', ['UTC', 'Australia/Sydney'], 'dom list'),
    ('20 4 * 2-4,10 *', ['UTC'], 'month ranges in a list'),
    ('0 0 1 1-12/3 *', ['Asia/Kolkata'], 'month a-b/n'),
    ('0-5 0 * * *', ['UTC'], 'minute range after midnight'),
    ('30 23 * * 0-6/3', ['UTC'], 'dow step over full range: sun,wed,sat'),
    # names, mixed case
    ('0 9 * JAN,Jul *', ['UTC', 'Europe/Berlin'], 'month names, mixed case'),
    ('0 9 * * Mon-FRI', ['America/New_York'], 'day names, mixed case'),
    ('0 0 1 jan-Mar,OCT *', ['UTC'], 'month name range and list'),
    ('30 6 * * SAT,sun', ['Asia/Kolkata'], 'weekend by name'),
    ('0 12 * feb tue', ['UTC'], 'tuesdays in february'),
    ('0 0 * Dec Sun', ['Australia/Sydney'], 'sundays in december'),
    # ? and Sunday as 0 and 7
    ('0 0 ? * fri', ['UTC'], '? in dom'),
    ('0 8 15 * ?', ['UTC'], '? in dow'),
    ('0 0 * * 0', ['UTC'], 'Sunday as 0'),
    ('0 0 * * 7', ['UTC', 'Asia/Tokyo'], 'Sunday as 7'),
    ('0 0 * * 5-7', ['UTC'], 'range ending at 7: fri,sat,sun'),
    ('0 0 * * 0,7', ['UTC'], '0 and 7 both Sunday'),
    # nicknames
    ('@yearly', ['UTC', 'Asia/Kolkata'], 'nickname'),
    ('@ANNUALLY', ['UTC'], 'nickname, upper case'),
    ('@Monthly', ['UTC', 'America/Sao_Paulo'], 'nickname, mixed case'),
    ('@weekly', ['UTC', 'Asia/Tokyo'], 'nickname: sunday 00:00'),
    ('@daily', ['UTC'], 'nickname'),
    ('@midnight', ['Asia/Kathmandu'], 'nickname'),
    ('@HOURLY', ['UTC', 'Pacific/Chatham'], 'nickname, upper case'),
    ('@hourly', ['America/St_Johns'], 'nickname'),
    # classic day rule
    ('0 0 13 * fri', ['UTC'], 'OR: 13th or any friday'),
    ('0 0 1,15 * 1-5', ['UTC'], 'OR: 1st, 15th or any weekday'),
    ('0 0 1-31 * mon', ['UTC'], 'OR with 1-31: every day (1-31 is restricted)'),
    ('0 0 */2 * mon', ['UTC'], 'AND: dom starts with * (odd days that are mondays)'),
    ('0 0 */10 * sun', ['UTC'], 'AND: dom */10 and sunday'),
    ('0 0 15 * */2', ['UTC'], 'AND: dow starts with * (15th on sun,tue,thu,sat)'),
    ('0 0 1 * *', ['UTC', 'Asia/Kolkata'], 'dom only'),
    ('0 0 * * 3', ['UTC'], 'dow only'),
    ('0 0 1 * sat', ['UTC'], 'OR: 1st or saturday'),
    ('0 12 29 2 mon', ['UTC'], 'OR: feb 29 or mondays in february'),
    ('0 0 ? * 1-5', ['UTC'], '? counts as *: AND'),
    ('0 0 1-7 * ?', ['UTC'], '? counts as *: AND'),
    ('0 0 2-30/7 * wed', ['UTC'], 'OR: dom a-b/n is restricted'),
    # L, L-n, W, LW
    ('0 0 L * *', ['UTC', 'Europe/Berlin'], 'L: last day of month'),
    ('30 18 L 2 *', ['UTC'], 'L in February, leap years'),
    ('0 0 L-3 * *', ['UTC'], 'L-3: three days before the last'),
    ('0 0 L-30 * *', ['UTC'], 'L-30: only in 31-day months (the 1st)'),
    ('0 0 15W * *', ['UTC', 'America/New_York'], '15W: weekday nearest the 15th'),
    ('0 0 1W * *', ['UTC'], '1W: never into the previous month'),
    ('0 0 31W * *', ['UTC'], '31W: never into the next month; none in 30-day months'),
    ('0 9 LW * *', ['UTC', 'Asia/Kolkata'], 'LW: last weekday of month'),
    ('0 0 1,15,L * *', ['UTC'], 'extension in a list'),
    ('0 0 L,L-1 * *', ['UTC'], 'two L items'),
    ('0 0 10W,L * *', ['UTC'], 'W and L in one list'),
    # #, L in dow
    ('0 0 * * fri#3', ['UTC', 'Europe/Berlin'], 'third friday'),
    ('0 0 * * 5#3', ['UTC'], 'third friday, numeric'),
    ('0 0 ? * sun#5', ['UTC'], 'fifth sunday: months without one skipped'),
    ('0 0 * * 7#2', ['UTC'], 'second sunday as 7#2'),
    ('0 0 * * 0#1', ['UTC'], 'first sunday as 0#1'),
    ('0 0 * * friL', ['UTC', 'Australia/Sydney'], 'last friday'),
    ('0 0 * * 5L', ['UTC'], 'last friday, numeric'),
    ('0 0 * * 1L', ['Asia/Kolkata'], 'last monday'),
    ('0 12 * * mon#1,fri#5', ['UTC'], 'two # items'),
    ('0 0 * * MON#2', ['UTC'], 'upper case name with #'),
    ('0 0 L * fri', ['UTC'], 'OR: last day or any friday'),
    ('0 0 13 * fri#2', ['UTC'], 'OR: 13th or second friday'),
    ('0 0 1 * 5L', ['UTC'], 'OR: 1st or last friday'),
    ('0 0 L * 5L', ['UTC'], 'OR: last day or last friday'),
    ('0 0 15W * mon', ['UTC'], 'OR: 15W or any monday'),
    ('0 0 */2 * fri#3', ['UTC'], 'AND: odd day and third friday'),
    ('0 0 * * 3#1', ['UTC'], 'dom * with #: AND, first wednesday'),
    # 6 fields (seconds first)
    ('*/10 * * * * *', ['UTC'], '6-field: every 10 s'),
    ('30 * * * * *', ['UTC', 'Asia/Kolkata'], '6-field: second 30 of every minute'),
    ('0 0 */6 * * *', ['UTC'], '6-field: hour step'),
    ('15,45 30 8 * * mon-fri', ['Europe/Berlin'], '6-field: second list'),
    ('0 0 0 * * 7', ['UTC'], '6-field: weekday 7 = sunday'),
    ('0 0 12 ? * SUN', ['UTC'], '6-field: ? and name'),
    ('0 0 0 L * ?', ['UTC'], '6-field: L'),
    ('59 59 23 31 12 *', ['UTC', 'Asia/Tokyo'], '6-field: last second of the year'),
    ('0-10/5 * * * * *', ['UTC'], '6-field: second a-b/n'),
    ('5 4 3 2 1 *', ['UTC'], '6-field: once a year'),
    ('0 0 9 * * 0,7', ['UTC'], '6-field: 0 and 7'),
    ('0 30 * * * *', ['America/St_Johns'], '6-field: every hour at :30:00'),
    ('0 0 0 1 * 0', ['UTC'], '6-field: OR rule, 1st or sunday'),
    # 7 fields (year last)
    ('0 30 9 * * * 2025', ['UTC'], '7-field: single year'),
    ('0 0 0 1 1 * 2030,2032', ['UTC'], '7-field: year list'),
    ('0 0 12 * * mon 2024-2025', ['UTC'], '7-field: year range, ends'),
    ('*/30 * * * * * *', ['UTC'], '7-field: year *'),
    ('0 0 0 29 2 * 2025-2030', ['UTC'], '7-field: next leap day in range is 2028'),
    ('0 0 0 L 2 ? 2024-2100/4', ['UTC'], '7-field: year step; 2100 is no leap year'),
    ('0 15 10 ? * 6L 2026', ['UTC'], '7-field: last saturday in 2026'),
    ('0 0 0 1 jan ? 2224,2225', ['UTC'], '7-field: the last years of the range'),
]

AFTERS = [
    utc(2024, 1, 1), utc(2024, 2, 28, 12), utc(2024, 6, 15, 8, 30, 15), utc(2024, 12, 31, 23, 59, 59),
    utc(2025, 7, 4, 17, 45), utc(2023, 2, 27), utc(2028, 2, 28, 23), utc(2025, 11, 30, 23, 59),
    utc(2026, 5, 10, 10, 10, 10), utc(2027, 9, 30, 22, 0, 1), utc(2025, 1, 31, 11, 59, 59),
    utc(2026, 2, 1, 0, 0, 0), utc(2029, 8, 15, 15, 15, 15),
]

# Verdicts for the disagreements, worked out by hand from SPEC section 3.
# Key: (oracle, expression) -> why that oracle is wrong.
FAULTS = {
    ('croniter', '0 0 1-31 * mon'):
        'croniter wrong: it folds 1-31 into * and ANDs (only mondays); SPEC: 1-31 is restricted, so OR, every day',
    ('croniter', '0 0 */2 * mon'):
        'croniter wrong: it ORs when dom is */2; SPEC: dom starts with *, so AND',
    ('croniter', '0 0 */10 * sun'):
        'croniter wrong: it ORs when dom is */10; SPEC: dom starts with *, so AND',
    ('croniter', '0 0 15 * */2'):
        'croniter wrong: it ORs when dow is */2; SPEC: dow starts with *, so AND',
    ('croniter', '0 0 */2 * fri#3'):
        'croniter wrong: it ORs */2 with #; SPEC: dom starts with *, so AND',
    ('croniter', '0 0 0 * * 7'):
        'croniter fails: weekday 7 in 6-field mode',
    ('croniter', '0 0 13 * fri#2'):
        'croniter wrong: OR rule combined with #',
    ('croniter', '0 0 1 * 5L'):
        'croniter wrong: OR rule combined with L in dow',
    ('croniter', '0 0 L * 5L'):
        'croniter wrong: OR rule combined with L',
}


def main():
    rnd = random.Random(20240329)
    rows = []
    disagreements = []
    agree_count = {}
    for expr, zones, what in EXPRS:
        rule = CronRule(expr)
        horizon = 366 * 260 if rule.years else 366 * 30
        for zname in zones:
            starts = rnd.sample(AFTERS, 2)
            plan = [(starts[0], 4), (starts[1], 1)]
            for start, chain in plan:
                after = start
                for k in range(chain):
                    b = common.brute_next(rule, zname, after, horizon)
                    c, cerr = run_croniter(expr, zname, after)
                    s, serr = run_systemd(rule, zname, after)
                    if b is None:
                        print('no firing: %s %s %s' % (expr, zname, after), file=sys.stderr)
                        break
                    if crosses_offset_change(zname, after, b):
                        after = b
                        continue
                    agree = ['brute']
                    notes = []
                    for name, v, err in (('croniter', c, cerr), ('systemd', s, serr)):
                        if err == 'n/a':
                            continue
                        if v == b:
                            agree.append(name)
                            continue
                        got = fmt_in(v, zname) if v is not None else err
                        why = FAULTS.get((name, expr))
                        disagreements.append((name, expr, zname, fmt_in(after, zname), fmt_in(b, zname), got, why))
                        notes.append('%s gave %s (%s)' % (name, got, why or 'UNRESOLVED'))
                    key = '+'.join(agree)
                    agree_count[key] = agree_count.get(key, 0) + 1
                    if agree == ['brute'] and not notes:
                        key2 = "brute only (no oracle has W, LW, L-n past 27 or years past 2199); checked by hand on the calendar"
                    else:
                        key2 = key
                    note = '%s; %s' % (what, key2)
                    if notes:
                        note += '; ' + '; '.join(notes)
                    # AFTER mostly in the zone's offset, sometimes in UTC
                    a_txt = fmt_in(after, 'UTC') if (len(rows) % 5 == 4) else fmt_in(after, zname)
                    rows.append((expr, zname, a_txt, fmt_in(b, zname), note))
                    after = b
    print('# cron.cases - Unix cron string form (SPEC section 3).')
    print('# Generated by tests/oracle/gen_cron.py; do not edit by hand.')
    print('# EXPR | ZONE | AFTER (exclusive) | EXPECTED (first firing strictly after) | note')
    print('# note: what the row covers; which oracles agreed (brute = literal SPEC')
    print('# brute force, croniter 1.3.5, systemd 252 calendar); oracle faults.')
    print('# No row crosses a UTC-offset change of its zone (see dst.cases).')
    w = max(len(r[0]) for r in rows)
    for r in rows:
        print('%-*s | %-18s | %s | %s | %s' % (w, r[0], r[1], r[2], r[3], r[4]))
    print('rows %d' % len(rows), file=sys.stderr)
    print('agreement %s' % agree_count, file=sys.stderr)
    used = set((d[0], d[1]) for d in disagreements)
    for k in FAULTS:
        if k not in used:
            print('UNUSED FAULT %r' % (k,), file=sys.stderr)
    for d in disagreements:
        print('DISAGREE %s %r %s after=%s brute=%s got=%s why=%s' % d, file=sys.stderr)


if __name__ == '__main__':
    main()
