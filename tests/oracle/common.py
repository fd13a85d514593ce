"""Shared helpers for the oracle generators (run with Debian's /usr/bin/python3).

- RFC 3339 formatting/parsing with explicit offsets;
- zone transition lookup (pytz), to drop rows that cross a UTC-offset change;
- a brute-force reference: enumerate local wall-clock times day by day and
  apply a schedule's rule literally, mapping wall times to instants with
  SPEC section 3's DST rule (gap -> the instant the clock jumped, fold ->
  first occurrence, or both occurrences when the hour field is wild).

The brute force is independent of every oracle; it is the second opinion
(and, for the extensions no oracle has, the only machine opinion).
"""

import bisect
import calendar
import datetime as dt
import re

import pytz

UTC = pytz.utc
ONE = dt.timedelta(seconds=1)


def zone(name):
    return pytz.timezone(name)


def fmt(d):
    """Aware datetime -> 2024-03-29T00:00:00+01:00 (never Z)."""
    off = d.utcoffset()
    total = int(off.total_seconds())
    sign = '+' if total >= 0 else '-'
    total = abs(total)
    return '%04d-%02d-%02dT%02d:%02d:%02d%s%02d:%02d' % (
        d.year, d.month, d.day, d.hour, d.minute, d.second, sign, total // 3600, total % 3600 // 60)


def fmt_in(u, zname):
    """UTC instant -> RFC 3339 with the zone's offset at that instant."""
    return fmt(u.astimezone(zone(zname)))


_rfc_re = re.compile(r'^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$')


def parse(s):
    """RFC 3339 with offset -> aware UTC datetime."""
    m = _rfc_re.match(s.strip())
    if not m:
        raise ValueError('bad RFC 3339 time %r' % s)
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    off = (int(m.group(8)) * 3600 + int(m.group(9)) * 60) * (1 if m.group(7) == '+' else -1)
    naive = dt.datetime(y, mo, d, h, mi, se) - dt.timedelta(seconds=off)
    return UTC.localize(naive)


def utc(y, mo, d, h=0, mi=0, s=0):
    return UTC.localize(dt.datetime(y, mo, d, h, mi, s))


def local(y, mo, d, h, mi, s, zname):
    """A local wall time that exists exactly once -> UTC instant."""
    return zone(zname).localize(dt.datetime(y, mo, d, h, mi, s), is_dst=None).astimezone(UTC)


def transitions(zname):
    z = zone(zname)
    times = getattr(z, '_utc_transition_times', None)
    if not times:
        return [], []
    return times, z._transition_info


def crosses_offset_change(zname, a, b):
    """True if some UTC-offset transition of the zone lies in (a, b]
    (a, b aware). Conservative: any transition entry counts, and so does
    a difference of the offsets at both ends."""
    z = zone(zname)
    if a.astimezone(z).utcoffset() != b.astimezone(z).utcoffset():
        return True
    times, _ = transitions(zname)
    an = a.astimezone(UTC).replace(tzinfo=None)
    bn = b.astimezone(UTC).replace(tzinfo=None)
    i = bisect.bisect_right(times, an)
    return i < len(times) and times[i] <= bn


# ---------------------------------------------------------------- wall -> instant

def wall_to_instants(naive, zname):
    """('normal'|'gap'|'fold', [instants]) for a naive local wall time.
    gap: [the transition instant]; fold: [first, second]."""
    z = zone(zname)
    times, info = transitions(zname)
    if not times:
        return 'normal', [UTC.localize(naive - z.utcoffset(naive))]
    # offsets in effect in a +-1 day window
    lo = bisect.bisect_right(times, naive - dt.timedelta(days=1)) - 1
    hi = bisect.bisect_right(times, naive + dt.timedelta(days=1))
    offs = set(info[i][0] for i in range(max(lo, 0), hi))
    cands = []
    for off in offs:
        u = naive - off
        j = bisect.bisect_right(times, u) - 1
        if info[max(j, 0)][0] == off:
            cands.append(u)
    cands = sorted(set(cands))
    if len(cands) == 1:
        return 'normal', [UTC.localize(cands[0])]
    if len(cands) >= 2:
        return 'fold', [UTC.localize(cands[0]), UTC.localize(cands[-1])]
    # gap: the transition whose pre-offset wall time is <= naive < post-offset wall time
    for i in range(max(lo, 1), hi):
        t = times[i]
        before, after = info[i - 1][0], info[i][0]
        if t + before <= naive < t + after:
            return 'gap', [UTC.localize(t)]
    raise AssertionError('cannot map %s in %s' % (naive, zname))


# ---------------------------------------------------------------- brute force

class Rule:
    """Interface for the brute force: which years/months/days/h/m/s match."""
    seconds = list(range(60))
    minutes = list(range(60))
    hours = list(range(24))
    hour_wild = True

    def year_ok(self, y):
        return True

    def month_ok(self, m):
        return True

    def day_ok(self, date):
        return True


def brute_next(rule, zname, after, max_days=366 * 30):
    """First firing strictly after @after (aware) under SPEC section 3."""
    z = zone(zname)
    after_u = after.astimezone(UTC)
    start_local = after_u.astimezone(z).replace(tzinfo=None)
    # Wall times earlier than this cannot map to an instant > after
    # (offset changes are at most a few hours).
    floor = start_local - dt.timedelta(hours=4)
    times, _ = transitions(zname)
    best = None
    limit = None   # once found: wall times past this cannot do better

    def found(u, w):
        nonlocal best, limit
        if best is None or u < best:
            best = u
            un = u.replace(tzinfo=None)
            i = bisect.bisect_left(times, un - dt.timedelta(days=1))
            near = i < len(times) and times[i] <= un + dt.timedelta(days=1)
            limit = w + (dt.timedelta(hours=4) if near else dt.timedelta(0))

    day = floor.date()
    for _ in range(max_days):
        if limit is not None and dt.datetime.combine(day, dt.time()) > limit:
            break
        if rule.year_ok(day.year) and rule.month_ok(day.month) and rule.day_ok(day):
            base = dt.datetime.combine(day, dt.time())
            for h in rule.hours:
                hb = base + dt.timedelta(hours=h)
                if hb + dt.timedelta(minutes=59, seconds=59) < floor:
                    continue
                if limit is not None and hb > limit:
                    break
                for mi in rule.minutes:
                    mb = hb + dt.timedelta(minutes=mi)
                    if mb + dt.timedelta(seconds=59) < floor:
                        continue
                    if limit is not None and mb > limit:
                        break
                    for s in rule.seconds:
                        w = mb + dt.timedelta(seconds=s)
                        if w < floor:
                            continue
                        if limit is not None and w > limit:
                            break
                        kind, insts = wall_to_instants(w, zname)
                        if kind == 'fold' and not rule.hour_wild:
                            insts = insts[:1]
                        for u in insts:
                            if u > after_u:
                                found(u, w)
        day += dt.timedelta(days=1)
    return best


def days_in_month(y, m):
    return calendar.monthrange(y, m)[1]


def nearest_weekday(y, m, d):
    """Quartz/cronie 'dW': weekday nearest day d, not leaving the month;
    None if the month has no day d."""
    n = days_in_month(y, m)
    if d > n:
        return None
    wd = dt.date(y, m, d).weekday()  # 0 = Monday
    if wd < 5:
        return d
    if wd == 5:  # Saturday -> Friday before, or Monday after if the 1st
        return d - 1 if d > 1 else d + 2
    # Sunday -> Monday after, or Friday before if the last day
    return d + 1 if d < n else d - 2


def last_weekday(y, m):
    n = days_in_month(y, m)
    d = n
    while dt.date(y, m, d).weekday() >= 5:
        d -= 1
    return d
