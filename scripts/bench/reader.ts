// Part of npm run bench: how many order texts per second the reader reads on one core
// (goal: 10,000), over the labelled corpus read again and again.
import { performance } from 'node:perf_hooks';
import { createOrderReader } from '../../src/catalog/reading/reader.js';
import { demoReaderProducts, loadCorpus } from '../eval/corpus.js';

const texts = loadCorpus().map((c) => c.text);
const read = createOrderReader(demoReaderProducts());
for (let i = 0; i < 2000; i++) read(texts[i % texts.length]!); // warm-up

const rounds = Number(process.env.BENCH_READER_TEXTS ?? 100_000);
const start = performance.now();
for (let i = 0; i < rounds; i++) read(texts[i % texts.length]!);
const seconds = (performance.now() - start) / 1000;
const perSecond = rounds / seconds;
console.log(`\norder reader: ${rounds} texts in ${seconds.toFixed(2)} s = ${Math.round(perSecond)} texts/s on one core (goal >= 10,000: ${perSecond >= 10_000 ? 'met' : 'NOT met'}); ${(perSecond / 10_000).toFixed(2)}x the goal`);
