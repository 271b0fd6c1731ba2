// Every event type the code writes is in the catalogue, and the worker's map handles each one.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createNotificationHandlers } from '../delivery/fanout.js';
import type { Db } from '../platform/db/client.js';
import { createLogger } from '../platform/logger.js';
import { EVENT_TYPES, isEventType } from './events.js';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

describe('the outbox event catalogue', () => {
  it('lists every event type the code writes', () => {
    const written = new Set<string>();
    for (const file of sourceFiles(path.resolve('src'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/recordEvent\(\s*\w+\s*,\s*[^,]+,\s*'([a-z_.]+)'/g)) written.add(m[1]!);
      // nobody writes around the catalogue
      if (!file.endsWith(path.join('orders', 'events.ts')) && !file.endsWith(path.join('platform', 'outbox.ts'))) expect(text, file).not.toMatch(/writeOutboxEvent\(/);
    }
    expect(written.size).toBeGreaterThan(10);
    for (const type of written) expect(isEventType(type), type).toBe(true);
  });

  it('has a handler for every type (the map is typed; this checks nothing slipped through a cast)', () => {
    const handlers = createNotificationHandlers({ db: {} as Db, log: createLogger('silent'), senders: {} as never, catalogChanged: async () => {} });
    for (const type of EVENT_TYPES) expect(typeof handlers[type], type).toBe('function');
  });
});
