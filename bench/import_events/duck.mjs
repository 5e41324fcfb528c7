// bench/import_events/duck.mjs: the DuckDB peer of bench/import_events (run by run.sh with Node
// and @duckdb/node-api). Usage: node duck.mjs EVENTS.csv DB
//
// Loads the CSV into a table of the database file DB with read_csv (types detected by DuckDB,
// nothing validated, deduplicated or placed), timed around the statement, then prints
// "load_s=S rows=N".
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, dbfile] = process.argv.slice(2);
const instance = await DuckDBInstance.create(dbfile);
const con = await instance.connect();
const t0 = process.hrtime.bigint();
await con.run(`CREATE TABLE t AS SELECT * FROM read_csv('${csv}', header = true)`);
await con.run('CHECKPOINT');
const s = Number(process.hrtime.bigint() - t0) / 1e9;
const reader = await con.runAndReadAll('SELECT count(*)::INTEGER AS n FROM t');
console.log(`load_s=${s.toFixed(6)} rows=${reader.getRows()[0][0]}`);
