// Real service processes for a bench: `npm run start:web` / `start:worker` as they run (Node with
// tsx, the worker with its 160 MB old-space limit), each logging to a file, started directly so
// that their pid is Node's own (RSS read from /proc, signals reach it).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Service {
  name: string;
  role: 'web' | 'worker';
  proc: ChildProcess;
  log: string;
  /** the highest VmRSS sampled, in bytes */
  peakRss: number;
}

export function startService(name: string, role: 'web' | 'worker', opts: { cwd: string; logDir: string; env: Record<string, string> }): Service {
  const log = path.join(opts.logDir, `${name}.log`);
  const out = fs.openSync(log, 'a');
  const heap = role === 'worker' ? [`--max-old-space-size=${process.env.BENCH_WORKER_HEAP_MB ?? 160}`] : [];
  const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(opts.cwd, 'tmp/prof')}`] : [];
  const proc = spawn(process.execPath, [...heap, ...prof, '--import', 'tsx', 'src/main.ts', '--role', role], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  return { name, role, proc, log, peakRss: 0 };
}

export const alive = (s: Service) => s.proc.exitCode === null && s.proc.signalCode === null;

/** VmRSS of a live process in bytes (Linux), or null. */
export function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) a live process has used so far, in ms (Linux, 100 ticks a second), or 0. */
export function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    // the fields after the command name, which may hold spaces: utime and stime are the 12th and 13th
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Samples every service's RSS each second, keeping its peak. */
export function sampleRss(services: Service[]): () => void {
  const timer = setInterval(() => {
    for (const s of services) {
      const rss = rssOf(s.proc.pid);
      if (rss !== null && rss > s.peakRss) s.peakRss = rss;
    }
  }, 1000);
  return () => clearInterval(timer);
}

/** SIGTERM (the service's own orderly shutdown), SIGKILL for whatever is left after `graceMs`. */
export async function stopServices(services: Service[], graceMs = 20_000): Promise<void> {
  const running = services.filter(alive);
  for (const s of running) s.proc.kill('SIGTERM');
  await Promise.race([
    Promise.all(running.map((s) => new Promise((r) => (alive(s) ? s.proc.once('exit', r) : r(null))))),
    new Promise((r) => setTimeout(r, graceMs).unref()),
  ]);
  for (const s of services.filter(alive)) s.proc.kill('SIGKILL');
}

export function lastLines(s: Service, n = 15): string {
  try {
    // JSON log lines carry whole stacks: the start of each says enough
    return fs.readFileSync(s.log, 'utf8').split('\n').slice(-n).map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l)).join('\n');
  } catch {
    return '(no log)';
  }
}
