// Orderly shutdown of a process: its parts close one after the other, in the reverse order of their
// opening (HTTP first, then the workers, then the database, then Redis), within one time limit.
import type { Server } from 'node:http';
import type { Logger } from './logger.js';

export interface ShutdownStep {
  name: string;
  /** Closes the part; `deadline` (epoch ms) is when the whole shutdown gives up. */
  close(deadline: number): Promise<unknown>;
  /** What the part is still waiting for, logged when the time limit cuts it short. */
  pending?(): Record<string, unknown>;
}

export interface ShutdownOptions {
  log: Logger;
  timeoutMs: number;
  /** ends the process (by default once its pending writes are done), or a test's stand-in */
  exit?: (code: number) => void;
}

export interface Shutdown {
  /** Registers a part; parts close in the reverse order of registration. */
  add(step: ShutdownStep): void;
  /** Closes every part, then exits: 0 when all closed in time, 1 when one failed or the time limit cut it short. */
  run(reason: string): Promise<void>;
  /** SIGINT and SIGTERM start the shutdown; later signals are logged and wait for the same limit. */
  listen(signals?: NodeJS.Signals[]): void;
}

/**
 * Exits once the pending writes are done: pino writes stdout asynchronously, and process.exit()
 * in the middle of a write reorders or loses the last log lines (the reason for exiting among
 * them). The process ends by itself when nothing else is open; else 500 ms later, regardless.
 */
function exitProcess(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}

export function createShutdown({ log, timeoutMs, exit = exitProcess }: ShutdownOptions): Shutdown {
  const steps: ShutdownStep[] = [];
  let running: Promise<void> | undefined;

  /** Closes every part in turn; false when one of them failed to close. */
  async function closeAll(deadline: number, progress: { current?: ShutdownStep }): Promise<boolean> {
    let clean = true;
    for (const step of [...steps].reverse()) {
      progress.current = step;
      const startedAt = Date.now();
      try {
        await step.close(deadline);
        log.info({ step: step.name, ms: Date.now() - startedAt }, 'shutdown: closed');
      } catch (err) {
        // one part failing to close must not keep the others open
        clean = false;
        log.error({ step: step.name, err }, 'shutdown: error while closing');
      }
    }
    progress.current = undefined;
    return clean;
  }

  function run(reason: string): Promise<void> {
    running ??= (async () => {
      const startedAt = Date.now();
      const deadline = startedAt + timeoutMs;
      log.info({ reason, timeoutMs, steps: [...steps].reverse().map((s) => s.name) }, 'shutting down');
      const progress: { current?: ShutdownStep } = {};
      let timer: NodeJS.Timeout | undefined;
      const overtime = new Promise<'overtime'>((resolve) => {
        timer = setTimeout(() => resolve('overtime'), timeoutMs);
      });
      const outcome = await Promise.race([closeAll(deadline, progress).then((clean) => (clean ? 'closed' : 'failed')), overtime]);
      clearTimeout(timer);
      if (outcome === 'overtime') {
        const step = progress.current;
        // exiting closes the remaining sockets: PostgreSQL rolls back what this process left open
        log.error(
          { reason, timeoutMs, step: step?.name, pending: step?.pending?.() },
          `shutdown: time limit of ${timeoutMs} ms reached while closing ${step?.name ?? 'the process'}; exiting`,
        );
        exit(1);
        return;
      }
      log.info({ reason, ms: Date.now() - startedAt }, outcome === 'closed' ? 'shut down' : 'shut down, not cleanly');
      exit(outcome === 'closed' ? 0 : 1);
    })();
    return running;
  }

  return {
    add: (step) => void steps.push(step),
    run,
    listen(signals = ['SIGINT', 'SIGTERM']) {
      for (const signal of signals) {
        process.on(signal, () => {
          // Ctrl-C under `npm start` reaches this process twice (from the terminal and from npm):
          // a repeat must not cut the shutdown short; the time limit still bounds it
          if (running) log.warn({ signal }, 'shutdown: already under way');
          else void run(signal);
        });
      }
    },
  };
}

/**
 * Stops accepting HTTP connections; requests in flight finish until `graceMs`, then their
 * connections are cut (their handlers still run to the end: the database step waits for them).
 */
export function closeHttpServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // kept-alive connections are closed as soon as their response is sent
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), Math.max(0, graceMs));
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The HTTP server as a shutdown step: `reserveMs` of the time limit is left for the parts after it. */
export function httpServerStep(server: Server, reserveMs: number): ShutdownStep {
  let open = 0;
  server.on('connection', (socket) => {
    open += 1;
    socket.once('close', () => (open -= 1));
  });
  return {
    name: 'http',
    close: (deadline) => closeHttpServer(server, deadline - reserveMs - Date.now()),
    pending: () => ({ connections: open }),
  };
}
