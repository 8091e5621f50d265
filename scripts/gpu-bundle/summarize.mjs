// Merges the GPU bundle's per-run bench JSONs (RUN.json) into one summary.json (every run in full, a table of
// the headline figures, the hardware, and the providers that did not start: EP.unavailable holds the reason)
// and prints the table.
//   node summarize.mjs RESULTS_DIR SUMMARY_FILE      (env: GPU, TORCH)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [resultsDir, summaryFile] = process.argv.slice(2);
if (!resultsDir || !summaryFile) {
  console.error('usage: node summarize.mjs RESULTS_DIR SUMMARY_FILE');
  process.exit(2);
}

const filesEnding = (suffix) => readdirSync(resultsDir).filter((f) => f.endsWith(suffix)).sort();
const read = (name) => readFileSync(path.join(resultsDir, name), 'utf8');
const runs = Object.fromEntries(filesEnding('.json').map((name) => [name.replace(/\.json$/, ''), JSON.parse(read(name))]));
const unavailable = Object.fromEntries(filesEnding('.unavailable').map((name) => [name.replace(/\.unavailable$/, ''), read(name).trim()]));

const p50 = (stages) => Object.fromEntries(Object.entries(stages).map(([stage, p]) => [stage, p.p50]));
const table = Object.entries(runs).map(([run, r]) => ({
  run,
  ep: r.provider.used,
  precision: r.model.precision,
  image_size: r.model.image_size,
  intermediate_tensors: r.provider.intermediate_tensors,
  model_fps: r.model_fps,
  graphs_p50_ms: r.model_detail.graphs_ms.p50,
  stage_p50_ms: p50(r.model_detail.stage_ms),
  pipeline_fps: r.pipeline_fps,
  latency_p50_ms: r.latency_ms.p50,
  latency_p95_ms: r.latency_ms.p95,
  dropped: r.dropped,
}));

const first = Object.values(runs)[0];
const summary = {
  date: new Date().toISOString(),
  hardware: { gpu: process.env.GPU || null, torch: process.env.TORCH || null, machine: first?.machine ?? null },
  unavailable,
  table,
  runs,
};
writeFileSync(summaryFile, JSON.stringify(summary, null, 2));

for (const row of table) {
  const stages = Object.entries(row.stage_p50_ms).map(([s, ms]) => `${s} ${ms}`).join(', ');
  console.log(`${row.run.padEnd(28)} ${row.ep}/${row.precision} ${row.model_fps} fps, graphs p50 ${row.graphs_p50_ms} ms (${stages}); pipeline ${row.pipeline_fps} fps, latency p50 ${row.latency_p50_ms} ms`);
}
for (const [ep, reason] of Object.entries(unavailable)) console.log(`${ep}: not run (${reason})`);
