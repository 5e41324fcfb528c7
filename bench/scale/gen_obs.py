#!/usr/bin/env python3
"""Generates indicators, benchmarks and observations for bench/scale as the three CSV files of
`concord import indicators|benchmarks|observations`.

Usage: gen_obs.py -n OBSERVATIONS [--per-ind P] [--months M] [--areas A] OUT_PREFIX

Writes OUT_PREFIX.indicators.csv, OUT_PREFIX.benchmarks.csv and OUT_PREFIX.observations.csv.
The series are those of bench/progress/gen.sql, written as files instead of inside SQLite so
that Concord's own importers load them: OBSERVATIONS / (P x M) indicators (codes B00000...,
pillar security, higher and lower is better in turn, monthly), each measured in P of the first
A district P-codes of the Afghan gazetteer (area (7 i + 10 t) mod A, t < P), for M months from
January 2020; value = base + slope x month + noise, base, slope and noise fixed functions of
the indicator, the area and the month. Every series has a baseline (2019-12-31, the base) and
a target (2025-12-31, base +/- 100). Deterministic: no random numbers at all.
"""

import argparse
import csv
import datetime
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCODES = os.path.join(HERE, '..', '..', 'data', 'cases', 'afghanistan',
                      'afg_global_pcodes_subset.csv')


def districts():
    with open(PCODES, newline='', encoding='utf-8-sig') as f:
        return sorted(r['P-Code'] for r in csv.DictReader(f) if r['Admin Level'].strip() == '2')


def month_bounds(m):
    y, mo = 2020 + m // 12, m % 12 + 1
    start = datetime.date(y, mo, 1)
    nxt = datetime.date(y + (mo == 12), mo % 12 + 1, 1)
    return start.isoformat(), (nxt - datetime.timedelta(days=1)).isoformat()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-n', type=int, required=True, help='observations (rounded down to whole '
                    'indicators, at least one)')
    ap.add_argument('--per-ind', type=int, default=40)
    ap.add_argument('--months', type=int, default=60)
    ap.add_argument('--areas', type=int, default=400)
    ap.add_argument('prefix')
    a = ap.parse_args()
    areas = districts()
    if a.areas > len(areas) or a.per_ind * 10 > a.areas or a.per_ind < 1 or a.months < 1:
        sys.exit('gen_obs.py: need 1 <= per-ind <= areas / 10 and areas <= %d' % len(areas))
    areas = areas[:a.areas]
    n_ind = max(1, a.n // (a.per_ind * a.months))
    months = [month_bounds(m) for m in range(a.months)]

    with open(a.prefix + '.indicators.csv', 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['code', 'name', 'pillar', 'unit', 'measure', 'direction', 'aggregation',
                    'period_days', 'goal_min', 'goal_max'])
        for i in range(n_ind):
            w.writerow(['B%05d' % i, 'Bench indicator %d' % i, 'security', 'count', 'unit',
                        'higher' if i % 2 == 0 else 'lower', 'sum', 31, '', ''])

    n_obs = 0
    with open(a.prefix + '.benchmarks.csv', 'w', newline='', encoding='utf-8') as fb, \
            open(a.prefix + '.observations.csv', 'w', newline='', encoding='utf-8') as fo:
        wb = csv.writer(fb, lineterminator='\n')
        wb.writerow(['indicator', 'area', 'sex', 'age_group', 'kind', 'date', 'value'])
        fo.write('indicator,area,sex,age_group,period_start,period_end,value,source,confidence\n')
        for i in range(n_ind):
            code, ind_id, up = 'B%05d' % i, i + 1, i % 2 == 0
            for t in range(a.per_ind):
                k = (i * 7 + t * 10) % a.areas
                area_id = k + 1
                base = 100 + (ind_id * 37 + area_id * 11) % 400
                slope = ((ind_id * 13 + area_id * 7) % 41 - 10) / 10.0
                wb.writerow([code, areas[k], '', '', 'baseline', '2019-12-31', base])
                wb.writerow([code, areas[k], '', '', 'target', '2025-12-31',
                             base + 100 if up else base - 100])
                sign = 1 if up else -1
                lines = []
                for m, (d0, d1) in enumerate(months):
                    v = base + sign * slope * m + ((ind_id * 31 + area_id * 17 + m * 13) % 97) / 9.7
                    lines.append('%s,%s,,,%s,%s,%.4f,bench,\n' % (code, areas[k], d0, d1, v))
                fo.write(''.join(lines))
                n_obs += a.months
    print('%d indicators, %d series, %d observations' % (n_ind, n_ind * a.per_ind, n_obs))


if __name__ == '__main__':
    main()
