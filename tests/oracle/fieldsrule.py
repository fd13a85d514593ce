"""A literal reading of APScheduler's CronTrigger field form (SPEC section
3, "cron, field form"), for the brute force in common.py. Written from
APScheduler's documentation, not its code: every field is a set of values
tested against the calendar, day and day_of_week must both match, week is
the ISO week, day_of_week 0 = Monday."""

import re

from common import Rule, days_in_month

FIELDS = ['year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute', 'second']
DEFAULT = {'year': '*', 'month': '1', 'day': '1', 'week': '*', 'day_of_week': '*',
           'hour': '0', 'minute': '0', 'second': '0'}
RANGE = {'year': (1970, 9999), 'month': (1, 12), 'day': (1, 31), 'week': (1, 53),
         'day_of_week': (0, 6), 'hour': (0, 23), 'minute': (0, 59), 'second': (0, 59)}
MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
WDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
NTH = {'1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5}


class FieldsError(ValueError):
    pass


def parse_fields(text):
    """'name=value; name=value' -> dict."""
    out = {}
    for part in text.split(';'):
        part = part.strip()
        if not part:
            continue
        k, v = part.split('=', 1)
        k, v = k.strip(), v.strip()
        if k not in FIELDS or k in out:
            raise FieldsError('bad field %r' % k)
        out[k] = v
    if not out:
        raise FieldsError('no field')
    return out


class FieldsRule(Rule):
    def __init__(self, fields):
        given = dict(fields)
        exprs = {}
        defaults = False
        remaining = dict(given)
        for f in FIELDS:
            if f in remaining:
                exprs[f] = remaining.pop(f)
                defaults = not remaining
            elif defaults:
                exprs[f] = DEFAULT[f]
            else:
                exprs[f] = '*'
        self.exprs = exprs
        self.hour_wild = exprs['hour'].startswith('*')
        self.sets = {}
        self.day_special = []
        for f in FIELDS:
            self.sets[f] = self._field(f, exprs[f])
        self.hours = sorted(self.sets['hour'])
        self.minutes = sorted(self.sets['minute'])
        self.seconds = sorted(self.sets['second'])

    def _val(self, f, tok):
        t = tok.strip().lower()
        if f == 'month' and t in MONTHS:
            return MONTHS.index(t) + 1
        if f == 'day_of_week' and t in WDAYS:
            return WDAYS.index(t)
        if not re.fullmatch(r'\d+', t):
            raise FieldsError('bad value %r for %s' % (tok, f))
        v = int(t)
        lo, hi = RANGE[f]
        if not lo <= v <= hi:
            raise FieldsError('out of range')
        return v

    def _field(self, f, text):
        lo, hi = RANGE[f]
        vals = set()
        for item in str(text).split(','):
            item = item.strip()
            il = item.lower()
            if f == 'day' and il == 'last':
                self.day_special.append(('last',))
                continue
            m = re.fullmatch(r'(1st|2nd|3rd|4th|5th|last) +(\w+)', il)
            if f == 'day' and m:
                self.day_special.append(('nth', m.group(1), WDAYS.index(m.group(2))))
                continue
            step = None
            if '/' in item:
                item, s = item.split('/', 1)
                step = int(s)
                if step == 0:
                    raise FieldsError('zero step')
            if item == '*':
                a, b = lo, hi
            elif '-' in item:
                x, y = item.split('-', 1)
                a, b = self._val(f, x), self._val(f, y)
                if a > b:
                    raise FieldsError('reversed')
            else:
                a = self._val(f, item)
                b = hi if step else a
            # APScheduler: a step larger than the range it steps over is an error
            if step and step > (b - a if item != '*' else hi - lo):
                raise FieldsError('step larger than the range')
            vals |= set(range(a, b + 1, step or 1))
        return vals

    def year_ok(self, y):
        return y in self.sets['year']

    def month_ok(self, m):
        return m in self.sets['month']

    def day_ok(self, d):
        n = days_in_month(d.year, d.month)
        dom = d.day in self.sets['day']
        for sp in self.day_special:
            if sp[0] == 'last' and d.day == n:
                dom = True
            if sp[0] == 'nth' and d.weekday() == sp[2]:
                if sp[1] == 'last' and d.day + 7 > n:
                    dom = True
                if sp[1] != 'last' and (d.day - 1) // 7 + 1 == NTH[sp[1]]:
                    dom = True
        if not dom:
            return False
        if d.isocalendar()[1] not in self.sets['week']:
            return False
        return d.weekday() in self.sets['day_of_week']
