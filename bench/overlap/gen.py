#!/usr/bin/env python3
"""Generates activities with dates for bench/overlap from the real OCHA Afghanistan 3W.

Usage: gen.py [-n ROWS] [--seed S] OUT.csv OUT.peer.csv

Like bench/import_3w/gen.py (whose readers it uses), each row draws an organisation (acronym,
name, type together), a district exactly as a real row has it (region, province, P-codes) and a
cluster from the real file's empirical distributions (data/cases/afghanistan/
afg_3w_operational_presence_2021q3.csv: 2,414 rows, 334 districts, 6 clusters), so the blocks
(district x cluster) are as unequal in size as in the real file: Kabul and the provincial
centres hold many activities. Added, because overlap needs them:
  - ACTIVITY     #activity     a cluster-specific title and a serial ("..., lot 0012345");
  - START_DATE   #date+start   uniform over 2015-01-01..2024-12-31;
  - END_DATE     #date+end     start + a lognormal duration (median 60 days, sigma 0.7, at
                               most 730 days): most projects run one to six months.
OUT.csv is the HXL 3W for `concord import 3w`; OUT.peer.csv has the same activities as plain
columns for the SQL peers: id, org (acronym), district (P-code), sector (cluster code),
start, end (ISO dates). Deterministic for a given (ROWS, seed).
"""

import argparse
import datetime
import math
import os
import random
import sys
import collections
import csv

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'import_3w'))
import gen as g3w  # noqa: E402  (bench/import_3w/gen.py)

DAY0 = datetime.date(2015, 1, 1)
N_DAYS = (datetime.date(2024, 12, 31) - DAY0).days + 1


def generate(out, peer, n, seed):
    header, tags, rows = g3w.read_real(g3w.REAL)
    col = {name: i for i, name in enumerate(header)}
    area_cols = [col[c] for c in ('REGION', 'PROVINCE', 'PROV_CODE', 'DISTRICT', 'DIST_CODE')]
    org_cols = [col[c] for c in ('ORG_ACRONYM', 'ORG_NAME', 'ORG_TYPE')]
    sec_cols = [col[c] for c in ('CLUSTER_SECTOR_CODE', 'CLUSTER_SECTOR_NAME')]
    areas = g3w.weighted(collections.Counter(tuple(r[i] for i in area_cols) for r in rows))
    orgs = g3w.weighted(collections.Counter(tuple(r[i] for i in org_cols) for r in rows))
    secs = g3w.weighted(collections.Counter(tuple(r[i] for i in sec_cols) for r in rows))
    rest = [i for i in range(len(header)) if i not in area_cols + org_cols + sec_cols]
    rest_values = [rows[0][i] for i in rest]
    rng = random.Random(seed)
    with open(out, 'w', encoding='utf-8', newline='') as f, \
            open(peer, 'w', encoding='utf-8', newline='') as p:
        f.write('\ufeff')
        w = csv.writer(f, lineterminator='\n')
        wp = csv.writer(p, lineterminator='\n')
        w.writerow(header + ['ACTIVITY', 'START_DATE', 'END_DATE'])
        w.writerow(tags + ['#activity', '#date+start', '#date+end'])
        wp.writerow(['id', 'org', 'district', 'sector', 'start', 'end'])
        done = 0
        while done < n:
            k = min(10000, n - done)
            a = rng.choices(areas[0], cum_weights=areas[1], k=k)
            o = rng.choices(orgs[0], cum_weights=orgs[1], k=k)
            s = rng.choices(secs[0], cum_weights=secs[1], k=k)
            for j in range(k):
                serial = done + j + 1
                titles = g3w.ACTIVITIES.get(s[j][0], g3w.OTHER)
                title = f'{titles[rng.randrange(len(titles))]}, lot {serial:07d}'
                start = DAY0 + datetime.timedelta(days=rng.randrange(N_DAYS))
                dur = min(730, int(rng.lognormvariate(math.log(60), 0.7)))
                end = start + datetime.timedelta(days=dur)
                row = [''] * len(header)
                for cols, vals in ((area_cols, a[j]), (org_cols, o[j]), (sec_cols, s[j]),
                                   (rest, rest_values)):
                    for i, v in zip(cols, vals):
                        row[i] = v
                w.writerow(row + [title, start.isoformat(), end.isoformat()])
                wp.writerow([serial, o[j][0], a[j][4], s[j][0], start.isoformat(),
                             end.isoformat()])
            done += k


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out')
    ap.add_argument('peer')
    ap.add_argument('-n', '--rows', type=int, default=1000000)
    ap.add_argument('--seed', type=int, default=20210701)
    a = ap.parse_args()
    if a.rows < 1:
        sys.exit('gen: --rows must be at least 1')
    generate(a.out, a.peer, a.rows, a.seed)


if __name__ == '__main__':
    main()
