// A writer of what residents are offered that forgets `catalog.changed` leaves every process's
// cached catalogue stale until its TTL: each file that writes products, producers, relay points or
// distributions records the event, or is listed here with the reason it need not.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WRITE = /\.(product|producer|relayPoint|distribution)\.(create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)\(|(UPDATE|INSERT INTO|DELETE FROM)\s+"(Product|Producer|RelayPoint|Distribution)"/g;

/** Writes that change nothing a resident is offered (nor any field the catalogue caches). */
const NOT_OFFERED: { file: string; write: RegExp; why: string }[] = [
  { file: 'src/orders/orderStatements.ts', write: /UPDATE "Distribution"/, why: 'the next basket number, under the row lock' },
  { file: 'src/delivery/schedule.ts', write: /\.distribution\.updateMany\(/, why: 'when each reminder and notice went out' },
  { file: 'src/orders/weighIn.ts', write: /\.distribution\.updateMany\(/, why: 'the weigh-in is over' },
  { file: 'src/demo/seed.ts', write: /\.producer\.upsert\(/, why: 'creates only (update: {}); a producer offers nothing before its products, whose import records the event' },
];

/** Scripts that fill a database of their own before any service reads it. */
const OWN_DATABASE = ['scripts/bench/'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('catalog.changed', () => {
  it('is recorded by every file that writes what residents are offered', () => {
    const writers: string[] = [];
    const exempted = new Set<(typeof NOT_OFFERED)[number]>();
    for (const file of [...sourceFiles('src'), ...sourceFiles('scripts')]) {
      if (OWN_DATABASE.some((dir) => file.startsWith(dir))) continue;
      const text = fs.readFileSync(file, 'utf8');
      const writes = [...text.matchAll(WRITE)].map((m) => m[0]).filter((w) => {
        const exemption = NOT_OFFERED.find((n) => n.file === file && n.write.test(w));
        if (exemption) exempted.add(exemption);
        return !exemption;
      });
      if (writes.length === 0) continue;
      writers.push(file);
      expect(text, `${file} writes ${writes.join(', ')} without recording catalog.changed`).toMatch(/recordEvent\([^)]*'catalog\.changed'/);
    }
    // the scan finds the writers it is meant to watch, and no exemption outlived its write
    expect(NOT_OFFERED.filter((n) => !exempted.has(n)).map((n) => n.file)).toEqual([]);
    expect(writers).toEqual(expect.arrayContaining(['src/catalog/products.ts', 'src/catalog/catalogService.ts', 'src/catalog/relays.ts', 'src/orders/distributionLifecycle.ts']));
  });
});
