"""A literal reading of SPEC section 3's Unix cron string form, for the
brute force in common.py. Deliberately simple and slow; it only has to
be right."""

import datetime as dt
import re

from common import Rule, days_in_month, nearest_weekday, last_weekday

MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
NICK = {
    '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *',
    '@weekly': '0 0 * * 0', '@daily': '0 0 * * *', '@midnight': '0 0 * * *',
    '@hourly': '0 * * * *',
}


class CronError(ValueError):
    pass


def _num(tok, lo, hi, names=None, name_base=0):
    t = tok.lower()
    if names and t in names:
        return names.index(t) + name_base
    if not re.fullmatch(r'\d+', t):
        raise CronError('bad value %r' % tok)
    v = int(t)
    if not lo <= v <= hi:
        raise CronError('value %r out of %d-%d' % (tok, lo, hi))
    return v


def _plain(item, lo, hi, names=None, name_base=0, star_ok=True):
    """'*', '*/n', 'a', 'a-b', 'a-b/n' -> set of values."""
    step = 1
    if '/' in item:
        item, s = item.split('/', 1)
        if not re.fullmatch(r'\d+', s) or int(s) == 0:
            raise CronError('bad step %r' % s)
        step = int(s)
        if item != '*' and '-' not in item:
            raise CronError('step needs a range or *')
    if item == '*':
        a, b = lo, hi
    elif '-' in item:
        x, y = item.split('-', 1)
        a, b = _num(x, lo, hi, names, name_base), _num(y, lo, hi, names, name_base)
        if a > b:
            raise CronError('reversed range')
    else:
        a = b = _num(item, lo, hi, names, name_base)
    return set(range(a, b + 1, step))


def _field(text, lo, hi, names=None, name_base=0):
    out = set()
    for item in text.split(','):
        if item == '':
            raise CronError('empty list item')
        out |= _plain(item, lo, hi, names, name_base)
    return sorted(out)


class CronRule(Rule):
    def __init__(self, expr):
        e = expr.strip()
        if e.startswith('@'):
            if e.lower() not in NICK:
                raise CronError('unknown nickname')
            e = NICK[e.lower()]
        f = e.split()
        if len(f) == 5:
            f = ['0'] + f + ['*']
        elif len(f) == 6:
            f = f + ['*']
        elif len(f) != 7:
            raise CronError('need 5, 6 or 7 fields')
        sec, mi, hr, dom, mon, dow, yr = f
        self.seconds = _field(sec, 0, 59)
        self.minutes = _field(mi, 0, 59)
        self.hours = _field(hr, 0, 23)
        self.hour_wild = hr.startswith('*')
        self.months = set(_field(mon, 1, 12, MONTHS, 1))
        self.years = None if yr == '*' else set(_field(yr, 1970, 2225))
        self.dom_star = dom.startswith('*') or dom == '?'
        self.dow_star = dow.startswith('*') or dow == '?'
        self.dom_items = self._dom(dom)
        self.dow_items = self._dow(dow)
        self.day_or = not self.dom_star and not self.dow_star

    def _dom(self, text):
        if text == '?':
            text = '*'
        items = []
        for it in text.split(','):
            u = it.upper()
            if it == '':
                raise CronError('empty list item')
            if u == 'L':
                items.append(('L', 0))
            elif re.fullmatch(r'L-\d+', u):
                n = int(u[2:])
                if n > 30:
                    raise CronError('L-n needs n <= 30')
                items.append(('L', n))
            elif u == 'LW':
                items.append(('LW', None))
            elif re.fullmatch(r'\d+W', u):
                d = int(u[:-1])
                if not 1 <= d <= 31:
                    raise CronError('bad W day')
                items.append(('W', d))
            else:
                items.append(('set', set(_plain(it, 1, 31))))
        return items

    def _dow(self, text):
        if text == '?':
            text = '*'
        items = []
        for it in text.split(','):
            if it == '':
                raise CronError('empty list item')
            m = re.fullmatch(r'(\w+)#(\d+)', it)
            if m:
                w = _num(m.group(1), 0, 7, DAYS) % 7
                n = int(m.group(2))
                if not 1 <= n <= 5:
                    raise CronError('bad #n')
                items.append(('nth', w, n))
                continue
            m = re.fullmatch(r'(\w+?)L', it, re.I)
            if m and it.lower() not in DAYS:
                w = _num(m.group(1), 0, 7, DAYS) % 7
                items.append(('last', w))
                continue
            s = _plain(it, 0, 7, DAYS)
            items.append(('set', set(v % 7 for v in s)))
        return items

    def year_ok(self, y):
        return self.years is None or y in self.years

    def month_ok(self, m):
        return m in self.months

    def dom_ok(self, d):
        y, m, day = d.year, d.month, d.day
        n = days_in_month(y, m)
        for it in self.dom_items:
            k = it[0]
            if k == 'set' and day in it[1]:
                return True
            if k == 'L' and day == n - it[1]:
                return True
            if k == 'LW' and day == last_weekday(y, m):
                return True
            if k == 'W' and nearest_weekday(y, m, it[1]) == day:
                return True
        return False

    def dow_ok(self, d):
        w = (d.weekday() + 1) % 7  # 0 = Sunday
        n = days_in_month(d.year, d.month)
        for it in self.dow_items:
            k = it[0]
            if k == 'set' and w in it[1]:
                return True
            if k == 'nth' and w == it[1] and (d.day - 1) // 7 + 1 == it[2]:
                return True
            if k == 'last' and w == it[1] and d.day + 7 > n:
                return True
        return False

    def day_ok(self, d):
        if self.day_or:
            return self.dom_ok(d) or self.dow_ok(d)
        return self.dom_ok(d) and self.dow_ok(d)
