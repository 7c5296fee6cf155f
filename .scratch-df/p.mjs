process.env.POLARS_MAX_THREADS='2';
const pl = (await import('nodejs-polars')).default;
console.log(Object.keys(pl).length, typeof pl.DataFrame);
const { DuckDBInstance } = await import('@duckdb/node-api');
const inst = await DuckDBInstance.create(':memory:'); const c = await inst.connect(); const r = await c.runAndReadAll('select 42 as x'); console.log(r.getRows());
import('hyparquet').then(m=>console.log(Object.keys(m)));
import('hyparquet-writer').then(m=>console.log(Object.keys(m)));
