#!/usr/bin/env python3
"""Generates conflict incidents (UCDP GED CSV form) and activity sites for bench/exposure.

Usage: gen.py incidents [-n ROWS] [--seed S] OUT.csv
       gen.py sites [-n SITES] [--seed S] OUT.csv OUT.txt

Both are drawn around the places where real violence happened: the 107 distinct locations of the
135 real Afghanistan events of the UCDP GED v23.1 sample (data/cases/afghanistan/
ucdp_ged_v23_1_afg.csv), each weighted by its number of events (Kandahar town, Jalalabad,
Kabul, Lashkar Gah... carry the most).

incidents: each row picks a real location; 30 % of rows sit exactly on it (UCDP places most
  events at the centre of the town named by the source), the rest at a lognormal distance
  (median 3 km, sigma 1.0: most within 10 km, a tail to 50 km) in a uniform direction.
  The first day is drawn over 2003-01-01..2014-12-31 with yearly weights rising with the war
  (weight = year - 2002); where_prec, date_prec, type_of_violence, the duration
  (date_end - date_start) and best are drawn from the real file's empirical distributions
  (where_prec 4-7 are in it: exposure leaves them out by default, and the peers must too).
  Columns: the UCDP GED names the importer reads (id, date_start, date_end, date_prec,
  type_of_violence, side_a, side_b, where_prec, latitude, longitude, best, low, high).
sites: distinct points (6 decimals) around the same locations, lognormal distance (median 8 km,
  sigma 1.2: activities spread into the districts around the towns), written twice: as an
  HXL 3W (OUT.csv, for `concord import 3w`: #geo+lat/#geo+lon, unique activity titles) and
  as "lat lon date" lines (OUT.txt, for the peers). Each activity lasts a year and ends on a
  day drawn uniformly over 2004-01-01..2014-12-31: that end date is the site's own reference
  date in the per-site variant (`concord exposure --at end`).

Deterministic for a given (size, seed): random.Random(seed) only.
"""

import argparse
import csv
import datetime
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, '..', '..', 'data', 'cases', 'afghanistan', 'ucdp_ged_v23_1_afg.csv')
R_KM = 6371.0088

ORGS = ['UNICEF', 'WFP', 'UNHCR', 'IOM', 'NRC', 'DRC', 'ACTED', 'DACAAR', 'CARE', 'SCI']
CLUSTERS = ['WSH', 'FSC', 'PRO', 'HEA', 'NUT', 'SHL', 'EDU']
PROVINCES = ['AF01', 'AF27', 'AF30', 'AF06', 'AF32', 'AF13', 'AF19', 'AF17']


def real_rows():
    with open(REAL, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def day(s):
    return datetime.date.fromisoformat(s.strip()[:10])


def offset(lat, lon, dist_km, bearing):
    """The point dist_km from (lat, lon) along bearing (radians), on the sphere."""
    p1, l1, d = math.radians(lat), math.radians(lon), dist_km / R_KM
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing))
    l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def incidents(n, seed, out):
    rows = real_rows()
    rng = random.Random(seed)
    locs = [(float(r['latitude']), float(r['longitude'])) for r in rows]  # weighted by events
    wprec = [int(r['where_prec']) for r in rows]
    dprec = [int(r['date_prec']) for r in rows]
    tov = [int(r['type_of_violence']) for r in rows]
    dur = [(day(r['date_end']) - day(r['date_start'])).days for r in rows]
    best = [int(r['best']) for r in rows]
    years = list(range(2003, 2015))
    yw = [y - 2002 for y in years]
    sides = {1: ('Government of Afghanistan', 'Taleban'), 2: ('Taleban', 'Hizb-i Islami'),
             3: ('Taleban', 'Civilians')}
    with open(out, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['id', 'year', 'type_of_violence', 'side_a', 'side_b', 'where_prec',
                    'latitude', 'longitude', 'date_prec', 'date_start', 'date_end', 'best',
                    'high', 'low'])
        for i in range(1, n + 1):
            lat, lon = rng.choice(locs)
            if rng.random() >= 0.3:
                lat, lon = offset(lat, lon, rng.lognormvariate(math.log(3.0), 1.0),
                                  rng.uniform(0, 2 * math.pi))
            y = rng.choices(years, yw)[0]
            start = datetime.date(y, 1, 1) + datetime.timedelta(
                days=rng.randrange(366 if y % 4 == 0 else 365))
            end = min(start + datetime.timedelta(days=rng.choice(dur)), datetime.date(2014, 12, 31))
            t = rng.choice(tov)
            b = rng.choice(best)
            w.writerow([i, start.year, t, sides[t][0], sides[t][1], rng.choice(wprec),
                        '%.6f' % lat, '%.6f' % lon, rng.choice(dprec), start.isoformat(),
                        end.isoformat(), b, b + rng.randrange(3), max(0, b - rng.randrange(3))])


def sites(n, seed, out_csv, out_txt):
    rows = real_rows()
    rng = random.Random(seed + 1)
    locs = [(float(r['latitude']), float(r['longitude'])) for r in rows]
    seen = set()
    pts = []
    while len(pts) < n:
        lat, lon = rng.choice(locs)
        lat, lon = offset(lat, lon, rng.lognormvariate(math.log(8.0), 1.2),
                          rng.uniform(0, 2 * math.pi))
        key = ('%.6f' % lat, '%.6f' % lon)
        if key in seen:
            continue
        seen.add(key)
        pts.append(key)
    with open(out_csv, 'w', newline='', encoding='utf-8') as f, open(out_txt, 'w') as t:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['Organisation', 'Cluster', 'Province code', 'Activity', 'Start', 'End',
                    'Latitude', 'Longitude'])
        w.writerow(['#org+acronym', '#sector+cluster+code', '#adm1+code', '#activity',
                    '#date+start', '#date+end', '#geo+lat', '#geo+lon'])
        for i, (lat, lon) in enumerate(pts):
            # each activity ends on a day of 2004-2014 (its site's own reference date for
            # the per-site variant) and lasted a year
            end = datetime.date(2004, 1, 1) + datetime.timedelta(days=rng.randrange(4018))
            start = end - datetime.timedelta(days=364)
            w.writerow([rng.choice(ORGS), rng.choice(CLUSTERS), rng.choice(PROVINCES),
                        'Site activity %07d' % i, start.isoformat(), end.isoformat(), lat, lon])
            t.write('%s %s %s\n' % (lat, lon, end.isoformat()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('what', choices=['incidents', 'sites'])
    ap.add_argument('-n', type=int, default=None)
    ap.add_argument('--seed', type=int, default=20140630)
    ap.add_argument('out', nargs='+')
    a = ap.parse_args()
    if a.what == 'incidents':
        incidents(a.n or 2000000, a.seed, a.out[0])
    else:
        if len(a.out) != 2:
            ap.error('sites needs OUT.csv and OUT.txt')
        sites(a.n or 10000, a.seed, a.out[0], a.out[1])
    return 0


if __name__ == '__main__':
    sys.exit(main())
