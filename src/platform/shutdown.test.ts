import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { createShutdown } from './shutdown.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('createShutdown', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('closes the parts in the reverse order of their opening, all with the same deadline, then exits 0', async () => {
    const { lines, log } = capture();
    const exit = vi.fn();
    const shutdown = createShutdown({ log, timeoutMs: 5_000, exit });
    const calls: [string, number][] = [];
    for (const name of ['redis', 'database', 'workers', 'http']) {
      shutdown.add({ name, close: async (deadline) => void calls.push([name, deadline]) });
    }
    await shutdown.run('SIGTERM');
    expect(calls).toEqual([['http', 1_005_000], ['workers', 1_005_000], ['database', 1_005_000], ['redis', 1_005_000]]);
    expect(exit).toHaveBeenCalledExactlyOnceWith(0);
    expect(lines.filter((l) => l.msg === 'shutdown: closed').map((l) => l.step)).toEqual(['http', 'workers', 'database', 'redis']);
  });

  it('goes on closing the other parts when one fails to close, and exits 1', async () => {
    const { lines, log } = capture();
    const exit = vi.fn();
    const shutdown = createShutdown({ log, timeoutMs: 5_000, exit });
    const closed: string[] = [];
    shutdown.add({ name: 'database', close: async () => void closed.push('database') });
    shutdown.add({ name: 'workers', close: () => Promise.reject(new Error('Redis gone')) });
    await shutdown.run('SIGINT');
    expect(closed).toEqual(['database']);
    expect(lines.find((l) => l.msg === 'shutdown: error while closing')).toMatchObject({ step: 'workers', level: 50 });
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
  });

  it('exits 1 at the time limit, naming the part still closing and what it waits for', async () => {
    const { lines, log } = capture();
    const exit = vi.fn();
    const shutdown = createShutdown({ log, timeoutMs: 5_000, exit });
    const redisClosed = vi.fn(async () => {});
    shutdown.add({ name: 'redis', close: redisClosed });
    shutdown.add({ name: 'database', close: () => new Promise(() => {}), pending: () => ({ busy: 2, waiting: 48 }) });
    shutdown.add({ name: 'http', close: async () => {} });
    const done = shutdown.run('SIGTERM');
    await vi.advanceTimersByTimeAsync(4_999);
    expect(exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(exit).toHaveBeenCalledExactlyOnceWith(1);
    expect(redisClosed).not.toHaveBeenCalled();
    const reason = lines.find((l) => l.level === 50);
    expect(reason).toMatchObject({ step: 'database', pending: { busy: 2, waiting: 48 }, reason: 'SIGTERM', timeoutMs: 5_000 });
    expect(reason?.msg).toBe('shutdown: time limit of 5000 ms reached while closing database; exiting');
  });

  it('runs once, however often it is asked', async () => {
    const { log } = capture();
    const exit = vi.fn();
    const shutdown = createShutdown({ log, timeoutMs: 5_000, exit });
    const close = vi.fn(async () => {});
    shutdown.add({ name: 'http', close });
    await Promise.all([shutdown.run('SIGINT'), shutdown.run('SIGINT')]);
    expect(close).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
