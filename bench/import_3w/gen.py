#!/usr/bin/env python3
"""Generates a large HXL-tagged 3W CSV for bench/import_3w from the real OCHA Afghanistan file.

Usage: gen.py [-n ROWS] [--seed S] [--real FILE] [--check] OUT

Every generated row draws, independently, from the real file's empirical distributions:
  - an organisation (acronym, name and type together, weighted by its rows in the real file),
  - a district with its region, province and P-codes exactly as a real row has them (weighted by
    its rows), so areas stay consistent and every P-code is one the gazetteer knows,
  - a cluster (code and name together, weighted by its rows).
Two columns the real file lacks turn operational-presence rows into activities with distinct
natural keys (organisation, area, sector, activity, start date):
  - ACTIVITY  #activity    a cluster-specific title plus a serial ("... lot 0123456"), so keys are
                           unique by construction (the script also checks: duplicates printed),
  - START     #date+start  a day spread uniformly over 2021-07-01..2021-09-30.
Header, hashtag row, UTF-8 BOM, LF line ends and minimal quoting are as in the real file.
The output is deterministic for a given (ROWS, seed): random.Random(seed) only.

--check prints the top organisations and clusters by share in both files (and region shares) so
the distributions can be compared by eye, and exits 1 if any top-10 share differs by more than one
percentage point (at the default 1M rows the sampling error is about 0.05 points).
"""

import argparse
import collections
import csv
import datetime
import hashlib
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, '..', '..', 'data', 'cases', 'afghanistan',
                    'afg_3w_operational_presence_2021q3.csv')

# Realistic activity titles per cluster code of the real file (Afghanistan HRP 2021 wording).
ACTIVITIES = {
    'EIE_OP': ['Community-based education classes', 'Temporary learning spaces',
               'Teacher training on psychosocial support', 'Distribution of learning kits',
               'School WASH rehabilitation'],
    'ESNFI_OP': ['Distribution of NFI kits', 'Winterisation cash assistance',
                 'Emergency shelter kits', 'Cash for rent', 'Transitional shelter construction',
                 'Shelter repair assistance'],
    'FSAC_OP': ['Emergency food distribution', 'Cash for food', 'Seed and fertiliser distribution',
                'Livestock protection and feed', 'Cash for work on community assets',
                'Kitchen gardening support'],
    'HEALTH_OP': ['Mobile health and nutrition teams', 'Trauma care and first aid',
                  'COVID-19 case management', 'Mental health and psychosocial support',
                  'Reproductive health services', 'Measles vaccination campaign'],
    'NUTRITION_OP': ['Treatment of severe acute malnutrition (OTP)',
                     'Treatment of moderate acute malnutrition (TSFP)',
                     'Infant and young child feeding counselling', 'Nutrition screening (MUAC)',
                     'Micronutrient supplementation'],
    'WASH_OP': ['Water trucking', 'Hygiene kit distribution', 'Borehole rehabilitation',
                'Emergency latrine construction', 'Hygiene promotion sessions',
                'Water point chlorination'],
}
OTHER = ['Needs assessment', 'Community mobilisation', 'Cash assistance']

DAY0 = datetime.date(2021, 7, 1)
N_DAYS = (datetime.date(2021, 9, 30) - DAY0).days + 1


def read_real(path):
    with open(path, encoding='utf-8-sig', newline='') as f:
        r = csv.reader(f)
        header = next(r)
        tags = next(r)
        rows = [row for row in r if row]
    return header, tags, rows


def weighted(items):
    """Counter → (values, cumulative weights) for random.choices."""
    values = list(items.keys())
    cum = []
    total = 0
    for v in values:
        total += items[v]
        cum.append(total)
    return values, cum


def generate(out_path, n, seed, real_path):
    header, tags, rows = read_real(real_path)
    col = {name: i for i, name in enumerate(header)}
    need = ['REGION', 'PROVINCE', 'PROV_CODE', 'DISTRICT', 'DIST_CODE', 'ORG_ACRONYM', 'ORG_NAME',
            'ORG_TYPE', 'CLUSTER_SECTOR_CODE', 'CLUSTER_SECTOR_NAME']
    for name in need:
        if name not in col:
            sys.exit(f'gen: {real_path}: no column {name!r}')
    area_cols = [col[c] for c in need[0:5]]
    org_cols = [col[c] for c in need[5:8]]
    sec_cols = [col[c] for c in need[8:10]]
    areas = weighted(collections.Counter(tuple(r[i] for i in area_cols) for r in rows))
    orgs = weighted(collections.Counter(tuple(r[i] for i in org_cols) for r in rows))
    secs = weighted(collections.Counter(tuple(r[i] for i in sec_cols) for r in rows))
    rest = [i for i in range(len(header)) if i not in area_cols + org_cols + sec_cols]
    rest_values = [rows[0][i] for i in rest]  # the constant "Question" column ("OP")

    days = [(DAY0 + datetime.timedelta(days=d)).isoformat() for d in range(N_DAYS)]
    rng = random.Random(seed)
    tmp = out_path + '.tmp'
    seen = set()
    dups = 0
    chunk = 10000
    with open(tmp, 'w', encoding='utf-8', newline='') as f:
        f.write('\ufeff')
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header + ['ACTIVITY', 'START_DATE'])
        w.writerow(tags + ['#activity', '#date+start'])
        done = 0
        while done < n:
            k = min(chunk, n - done)
            a = rng.choices(areas[0], cum_weights=areas[1], k=k)
            o = rng.choices(orgs[0], cum_weights=orgs[1], k=k)
            s = rng.choices(secs[0], cum_weights=secs[1], k=k)
            out = []
            for j in range(k):
                serial = done + j + 1
                titles = ACTIVITIES.get(s[j][0], OTHER)
                title = f'{titles[rng.randrange(len(titles))]}, lot {serial:07d}'
                start = days[rng.randrange(N_DAYS)]
                row = [''] * len(header)
                for i, v in zip(area_cols, a[j]):
                    row[i] = v
                for i, v in zip(org_cols, o[j]):
                    row[i] = v
                for i, v in zip(sec_cols, s[j]):
                    row[i] = v
                for i, v in zip(rest, rest_values):
                    row[i] = v
                key = hashlib.blake2b('\x1f'.join((o[j][0], a[j][4], s[j][0], title,
                                                   start)).encode(), digest_size=8).digest()
                if key in seen:
                    dups += 1
                seen.add(key)
                out.append(row + [title, start])
            w.writerows(out)
            done += k
    os.replace(tmp, out_path)
    print(f'gen: wrote {out_path}: {n} rows, seed {seed}, {dups} duplicate natural keys, '
          f'{os.path.getsize(out_path)} bytes')
    return dups


def check(real_path, gen_path, top=10):
    """Prints the top shares of organisations, clusters and regions in both files."""
    def count(path):
        with open(path, encoding='utf-8-sig', newline='') as f:
            r = csv.reader(f)
            header = next(r)
            next(r)
            col = {name: i for i, name in enumerate(header)}
            c = {k: collections.Counter() for k in ('ORG_ACRONYM', 'CLUSTER_SECTOR_CODE',
                                                     'REGION', 'ORG_TYPE')}
            n = 0
            for row in r:
                n += 1
                for k in c:
                    c[k][row[col[k]]] += 1
        return n, c

    n_real, real = count(real_path)
    n_gen, gen = count(gen_path)
    worst = 0.0
    for k in real:
        print(f'{k:<22} {"real %":>8} {"gen %":>8}   ({n_real} real rows, {n_gen} generated)')
        for v, c in real[k].most_common(top):
            pr = 100.0 * c / n_real
            pg = 100.0 * gen[k][v] / n_gen
            worst = max(worst, abs(pr - pg))
            print(f'  {v:<20} {pr:8.2f} {pg:8.2f}')
        extra = set(gen[k]) - set(real[k])
        if extra:
            print(f'  values not in the real file: {sorted(extra)[:5]}')
            worst = 100.0
    print(f'largest difference in a top-{top} share: {worst:.2f} points')
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('out')
    ap.add_argument('-n', '--rows', type=int, default=1000000)
    ap.add_argument('--seed', type=int, default=20210701)
    ap.add_argument('--real', default=REAL)
    ap.add_argument('--check', action='store_true',
                    help='compare top shares with the real file after generating')
    args = ap.parse_args()
    if args.rows < 1:
        sys.exit('gen: --rows must be at least 1')
    generate(args.out, args.rows, args.seed, args.real)
    if args.check and check(args.real, args.out) > 1.0:
        sys.exit(1)


if __name__ == '__main__':
    main()
