#!/usr/bin/python3
"""Generates tests/unit/data/interval.cases (SPEC section 3, interval).

Firings are START + k * INTERVAL (k >= 0) in elapsed time; EXPECTED is the
first strictly after AFTER. Every row is computed two ways:
  apscheduler - python3-apscheduler 3.9.1 IntervalTrigger(start_date=START,
                timezone=ZONE).get_next_fire_time(None, AFTER + 1 s)
  brute       - k = 0, 1, 2, ... until START + k * INTERVAL > AFTER, in UTC
                seconds (closed form when k would be huge, checked by a
                loop from k - 3)
Rows crossing a UTC-offset change appear only in the dst-interval group,
where elapsed time is the whole point.

Run: /usr/bin/python3 tests/oracle/gen_interval.py > tests/unit/data/interval.cases
"""

import datetime as dt
import random
import re
import sys

from apscheduler.triggers.interval import IntervalTrigger

from common import ONE, UTC, crosses_offset_change, fmt_in, local, parse, utc, zone

UNITS = {'w': 604800, 'd': 86400, 'h': 3600, 'm': 60, 's': 1}
NAMES = {'w': 'weeks', 'd': 'days', 'h': 'hours', 'm': 'minutes', 's': 'seconds'}


def duration(text):
    parts = re.findall(r'(\d+)([wdhms])', text)
    assert ''.join(a + b for a, b in parts) == text, text
    return parts


def seconds(text):
    return sum(int(n) * UNITS[u] for n, u in duration(text))


def run_aps(text, start, zname, after):
    z = zone(zname)
    kw = {}
    for n, u in duration(text):
        kw[NAMES[u]] = kw.get(NAMES[u], 0) + int(n)
    t = IntervalTrigger(start_date=start.astimezone(z), timezone=z, **kw)
    r = t.get_next_fire_time(None, (after + ONE).astimezone(z))
    return r.astimezone(UTC)


def brute(text, start, after):
    i = seconds(text)
    s = int(start.timestamp())
    a = int(after.timestamp())
    k = 0
    if a - s > i * 1000:
        k = max(0, (a - s) // i - 3)
    while s + k * i <= a:
        k += 1
    return UTC.localize(dt.datetime(1970, 1, 1) + dt.timedelta(seconds=s + k * i)), k


INTERVALS = ['90s', '5m', '1h30m', '2d', '1w', '45s', '7m30s', '1d12h', '3h', '1w2d', '17s',
             '1h', '24h', '59m59s', '10d', '2w', '1d1s', '6h', '13m']
ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney',
         'America/Sao_Paulo', 'Asia/Kathmandu']
STARTS = [utc(2024, 1, 1), utc(2024, 6, 15, 8, 30, 15), utc(2025, 2, 28, 23, 59, 59),
          utc(2026, 1, 1, 12), utc(2023, 7, 7, 7, 7, 7), utc(2024, 8, 1, 2, 3, 4)]

# (interval, start, zone, after, chain length, what) across DST changes
DST = [
    ('1h', local(2024, 3, 30, 23, 0, 0, 'Europe/Berlin'), 'Europe/Berlin', utc(2024, 3, 31, 0, 30), 4,
     'dst-interval: 1h across CET->CEST stays 3600 s (01:00+01:00 -> 03:00+02:00)'),
    ('1h', local(2024, 10, 26, 23, 0, 0, 'Europe/Berlin'), 'Europe/Berlin', utc(2024, 10, 26, 23, 30), 4,
     'dst-interval: 1h across CEST->CET stays 3600 s (02:00 twice)'),
    ('30m', local(2024, 3, 10, 0, 0, 0, 'America/New_York'), 'America/New_York', utc(2024, 3, 10, 6, 15), 3,
     'dst-interval: 30m across EST->EDT'),
    ('30m', local(2024, 11, 3, 0, 0, 0, 'America/New_York'), 'America/New_York', utc(2024, 11, 3, 5, 15), 4,
     'dst-interval: 30m across EDT->EST (01:00-01:59 twice)'),
    ('1d', local(2024, 3, 29, 12, 0, 0, 'Europe/Berlin'), 'Europe/Berlin', utc(2024, 3, 30, 12), 2,
     'dst-interval: 1d is 86400 s, so local noon becomes 13:00 after spring forward'),
    ('1d', local(2024, 10, 25, 12, 0, 0, 'Europe/Berlin'), 'Europe/Berlin', utc(2024, 10, 26, 11), 2,
     'dst-interval: 1d is 86400 s, so local noon becomes 11:00 after fall back'),
    ('1w', local(2024, 3, 4, 9, 0, 0, 'America/New_York'), 'America/New_York', utc(2024, 3, 4, 15), 2,
     'dst-interval: 1w is 604800 s: 09:00 EST becomes 10:00 EDT'),
    ('15m', local(2024, 10, 6, 1, 0, 0, 'Australia/Lord_Howe'), 'Australia/Lord_Howe', utc(2024, 10, 5, 15, 0), 4,
     'dst-interval: 15m across Lord Howe +10:30 -> +11:00'),
    ('15m', local(2024, 4, 7, 1, 0, 0, 'Australia/Lord_Howe'), 'Australia/Lord_Howe', utc(2024, 4, 6, 14, 30), 4,
     'dst-interval: 15m across Lord Howe +11:00 -> +10:30 (01:30-01:59 twice)'),
    ('12h', local(2024, 10, 5, 14, 0, 0, 'Australia/Sydney'), 'Australia/Sydney', utc(2024, 10, 5, 4), 2,
     'dst-interval: 12h across AEST->AEDT'),
    ('90m', local(2024, 3, 31, 0, 0, 0, 'Europe/Berlin'), 'Europe/Berlin', utc(2024, 3, 30, 23), 2,
     'dst-interval: 90m across CET->CEST'),
]


def main():
    rnd = random.Random(3600)
    rows = []
    agree = 0
    plans = []
    for n, iv in enumerate(INTERVALS):
        for zname in (ZONES[n % len(ZONES)], ZONES[(n + 3) % len(ZONES)]):
            start = rnd.choice(STARTS) + dt.timedelta(seconds=rnd.randrange(0, 86400))
            i = seconds(iv)
            afters = [
                (start - dt.timedelta(seconds=rnd.randrange(1, 5 * 86400)), 1, 'AFTER before START: START'),
                (start, 2, 'AFTER = START: k = 1, then chained'),
                (start + dt.timedelta(seconds=i * rnd.randrange(2, 50)), 1, 'AFTER on a firing'),
                (start + dt.timedelta(seconds=rnd.randrange(1, 400 * 86400)), 2, 'AFTER between firings'),
            ]
            plans.append((iv, start, zname, afters, False))
    for iv, start, zname, after, chain, what in DST:
        plans.append((iv, start, zname, [(after, chain, what)], True))
    for iv, start, zname, afters, dst_ok in plans:
        for after, chain, what in afters:
            for _ in range(chain):
                b, k = brute(iv, start, after)
                a = run_aps(iv, start, zname, after)
                if not dst_ok and crosses_offset_change(zname, after, b):
                    after = b
                    continue
                assert a == b, (iv, start, zname, after, a, b)
                agree += 1
                s_txt = fmt_in(start, 'UTC') if len(rows) % 4 == 3 else fmt_in(start, zname)
                a_txt = fmt_in(after, 'UTC') if len(rows) % 5 == 4 else fmt_in(after, zname)
                rows.append((iv, s_txt, zname, a_txt, fmt_in(b, zname),
                             '%s; k=%d; apscheduler+brute' % (what, k)))
                after = b
    print('# interval.cases - interval trigger (SPEC section 3): firings START + k*INTERVAL,')
    print('# k >= 0, elapsed time (DST ignored); EXPECTED is the first strictly after AFTER.')
    print('# Generated by tests/oracle/gen_interval.py; do not edit by hand.')
    print('# INTERVAL | START | ZONE | AFTER (exclusive) | EXPECTED | note')
    print('# Rows noted dst-interval cross a UTC-offset change on purpose.')
    for r in rows:
        print('%-6s | %s | %-19s | %s | %s | %s' % r)
    print('rows %d, apscheduler+brute agreed on %d' % (len(rows), agree), file=sys.stderr)


if __name__ == '__main__':
    main()
