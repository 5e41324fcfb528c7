// bench/overlap/duck.mjs: the DuckDB peer of bench/overlap (run by run.sh with Node and
// @duckdb/node-api). Usage:
//
//   node duck.mjs ACTIVITIES.peer.csv DB REPS
//
// Loads the activities (id, org, district, sector, start, end) into the database file DB (not
// timed), then counts, REPS times, the pairs of activities of different organisations in the
// same district and sector whose date ranges overlap (inclusive days): a hash self-join on
// (district, sector) filtered by the rest. Timed around the query; prints
// "duckdb_s=S pairs=N" (best of REPS).
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, dbfile, reps] = process.argv.slice(2);
const instance = await DuckDBInstance.create(dbfile);
const con = await instance.connect();
await con.run(`CREATE TABLE act AS SELECT id::INTEGER AS id, org::VARCHAR AS org,
  district::VARCHAR AS district, sector::VARCHAR AS sector, start::DATE AS d0, "end"::DATE AS d1
  FROM read_csv('${csv}', header = true, all_varchar = true)`);
await con.run('CHECKPOINT');
const sql = `SELECT count(*) FROM act a JOIN act b
  ON a.district = b.district AND a.sector = b.sector
  WHERE a.id < b.id AND a.org <> b.org AND a.d0 <= b.d1 AND b.d0 <= a.d1`;
let best = Infinity;
let n = -1;
for (let r = 0; r < Number(reps); r++) {
  const t0 = process.hrtime.bigint();
  const reader = await con.runAndReadAll(sql);
  n = Number(reader.getRows()[0][0]);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stderr.write(`bench: duckdb run ${r + 1}: ${s.toFixed(3)} s, ${n} pairs\n`);
  best = Math.min(best, s);
}
console.log(`duckdb_s=${best.toFixed(6)} pairs=${n}`);
