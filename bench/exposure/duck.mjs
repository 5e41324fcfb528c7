// bench/exposure/duck.mjs: the DuckDB peer of bench/exposure (run by run.sh with Node and
// @duckdb/node-api). Usage:
//
//   node duck.mjs INCIDENTS.csv SITES.txt DB RADIUS_KM W_FROM W_TO P_FROM P_TO REPS OUTPREFIX DAYS
//
// Loads the incidents (the narrow columns: point, first and last day, precision) and the sites
// into the database file DB (not timed), then runs two joins REPS times each, timed around the
// query (results fetched), and prints "grid_s=S bbox_s=S" (best of REPS); each join's answer,
// "lat lon incidents prev_incidents" per site with at least one, goes to OUTPREFIX_grid.txt and
// OUTPREFIX_bbox.txt. The environment variable JOINS (default "grid bbox") chooses the joins;
// grid_persite and bbox_persite are the same joins with per-site reference dates: each site's
// windows are the DAYS days up to its own date (SITES.txt: lat lon date) and the DAYS before.
//
// Both joins first keep the incidents whose days meet the two windows and whose UCDP where_prec
// is at most 3 (what `concord exposure` reads), then test the haversine distance on the sphere
// of 6371.0088 km, written as Concord computes it. They differ in how candidates are found:
//   bbox: a range join on the box of the circle (latitude +- r, longitude +- asin(sin r /
//         cos lat)): DuckDB plans it as an inequality join;
//   grid: an equi-join on grid cells at least as large as the box: each incident has its cell,
//         each site is joined with the 3 x 3 cells around its own.
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [inc, sites, dbfile, radius, wFrom, wTo, pFrom, pTo, reps, outp, daysArg] =
  process.argv.slice(2);
const D = Number(daysArg || 90);
const R = 6371.0088;
const rdeg = (Number(radius) / (R * Math.PI / 180)) * (1 + 1e-9) + 1e-7;

const instance = await DuckDBInstance.create(dbfile);
const con = await instance.connect();
await con.run(`CREATE TABLE inc AS SELECT latitude::DOUBLE AS lat, longitude::DOUBLE AS lon,
  date_start::DATE AS d0, date_end::DATE AS d1, where_prec::INTEGER AS wp
  FROM read_csv('${inc}', header = true)`);
await con.run(`CREATE TABLE sites AS SELECT * FROM read_csv('${sites}', delim = ' ',
  header = false, columns = {'lat': 'DOUBLE', 'lon': 'DOUBLE', 'd': 'DATE'})`);
await con.run('CHECKPOINT');

const win = `w AS (SELECT lat, lon, radians(lat) AS phi, cos(radians(lat)) AS cphi,
    radians(lon) AS lam, d0, d1 FROM inc
    WHERE d0 <= DATE '${wTo}' AND d1 >= DATE '${pFrom}' AND wp <= 3)`;
const site = `s AS (SELECT lat, lon, d, radians(lat) AS phi, cos(radians(lat)) AS cphi,
    radians(lon) AS lam,
    degrees(asin(least(1, sin(radians(${rdeg})) / cos(radians(abs(lat) + ${rdeg}))))) + 1e-7
      AS dlon FROM sites)`;
const hav = `2 * ${R} * asin(sqrt(pow(sin((w.phi - s.phi) / 2), 2)
    + s.cphi * w.cphi * pow(sin((w.lam - s.lam) / 2), 2))) <= ${Number(radius)}`;
const counts = `printf('%.6f %.6f', s.lat, s.lon) AS site,
    count(*) FILTER (WHERE w.d0 <= DATE '${wTo}' AND w.d1 >= DATE '${wFrom}') AS now,
    count(*) FILTER (WHERE w.d0 <= DATE '${pTo}' AND w.d1 >= DATE '${pFrom}') AS prev`;

const bbox = `WITH ${win}, ${site}
  SELECT ${counts} FROM s JOIN w
    ON w.lat BETWEEN s.lat - ${rdeg} AND s.lat + ${rdeg}
   AND w.lon BETWEEN s.lon - s.dlon AND s.lon + s.dlon
  WHERE ${hav} GROUP BY s.lat, s.lon`;

// cells: rdeg tall, and as wide as the widest longitude reach of any site
const grid = `WITH ${win}, ${site},
  c AS (SELECT max(dlon) AS cw FROM s),
  wc AS (SELECT w.*, floor(w.lat / ${rdeg})::BIGINT AS cy, floor(w.lon / c.cw)::BIGINT AS cx
         FROM w, c),
  sc AS (SELECT s.*, floor(s.lat / ${rdeg})::BIGINT + dy AS cy,
                floor(s.lon / c.cw)::BIGINT + dx AS cx
         FROM s, c, range(-1, 2) t1(dy), range(-1, 2) t2(dx))
  SELECT ${counts.replaceAll('w.', 'wc.')} FROM sc AS s JOIN wc ON wc.cy = s.cy AND wc.cx = s.cx
  WHERE ${hav.replaceAll('w.', 'wc.')} GROUP BY s.lat, s.lon`;

// per-site dates: the incidents that meet any site's windows, then each site's own
const winPs = `w AS (SELECT lat, lon, radians(lat) AS phi, cos(radians(lat)) AS cphi,
    radians(lon) AS lam, d0, d1 FROM inc
    WHERE d0 <= (SELECT max(d) FROM sites) AND d1 >= (SELECT min(d) FROM sites) - ${2 * D - 1}
      AND wp <= 3)`;
const countsPs = `printf('%.6f %.6f', s.lat, s.lon) AS site,
    count(*) FILTER (WHERE w.d1 >= s.d - ${D - 1}) AS now,
    count(*) FILTER (WHERE w.d0 <= s.d - ${D}) AS prev`;
const datesPs = `w.d0 <= s.d AND w.d1 >= s.d - ${2 * D - 1}`;
const bboxPs = `WITH ${winPs}, ${site}
  SELECT ${countsPs} FROM s JOIN w
    ON w.lat BETWEEN s.lat - ${rdeg} AND s.lat + ${rdeg}
   AND w.lon BETWEEN s.lon - s.dlon AND s.lon + s.dlon
  WHERE ${datesPs} AND ${hav} GROUP BY s.lat, s.lon, s.d`;
const gridPs = `WITH ${winPs}, ${site},
  c AS (SELECT max(dlon) AS cw FROM s),
  wc AS (SELECT w.*, floor(w.lat / ${rdeg})::BIGINT AS cy, floor(w.lon / c.cw)::BIGINT AS cx
         FROM w, c),
  sc AS (SELECT s.*, floor(s.lat / ${rdeg})::BIGINT + dy AS cy,
                floor(s.lon / c.cw)::BIGINT + dx AS cx
         FROM s, c, range(-1, 2) t1(dy), range(-1, 2) t2(dx))
  SELECT ${countsPs.replaceAll('w.', 'wc.')} FROM sc AS s JOIN wc ON wc.cy = s.cy AND wc.cx = s.cx
  WHERE ${datesPs.replaceAll('w.', 'wc.')} AND ${hav.replaceAll('w.', 'wc.')}
  GROUP BY s.lat, s.lon, s.d`;

let out = '';
const joins = { bbox, grid, bbox_persite: bboxPs, grid_persite: gridPs };
for (const name of (process.env.JOINS || 'grid bbox').split(' ').filter((j) => j in joins)) {
  const sql = joins[name];
  let best = Infinity;
  let rows = [];
  for (let r = 0; r < Number(reps); r++) {
    const t0 = process.hrtime.bigint();
    const reader = await con.runAndReadAll(sql);
    rows = reader.getRows();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    process.stderr.write(`bench: duckdb ${name} run ${r + 1}: ${s.toFixed(3)} s, ${rows.length} sites\n`);
    best = Math.min(best, s);
  }
  writeFileSync(`${outp}_${name}.txt`,
    rows.map((r) => `${r[0]} ${r[1]} ${r[2]}`).join('\n') + (rows.length ? '\n' : ''));
  out += `${name}_s=${best.toFixed(6)} `;
}
console.log(out.trim());
