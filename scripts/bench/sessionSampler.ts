// What the services' database sessions are doing, sampled from pg_stat_activity during a bench:
// "idle in transaction" is a transaction waiting on its Node process (CPU, round trips), "active"
// is PostgreSQL at work, a Lock wait is contention between transactions. Tells where wall time goes.
import type pg from 'pg';

export function sampleSessions(sql: pg.Pool, everyMs = 200) {
  const counts = new Map<string, Map<string, number>>();
  const blocked = new Map<string, number>();
  let samples = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    // the statements waiting on a lock, by their first words: which row everybody queues for
    const locks = sql.query<{ q: string; n: number }>(
      `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q, count(*)::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' GROUP BY 1`,
    ).then(({ rows }) => {
      for (const r of rows) blocked.set(r.q, (blocked.get(r.q) ?? 0) + r.n);
    }, () => {});
    const states = sql.query<{ app: string; what: string; n: number }>(
      `SELECT application_name AS app,
              CASE WHEN state = 'active' AND wait_event_type IS NOT NULL AND wait_event_type <> 'Client' THEN 'active, waiting on ' || wait_event_type || ':' || wait_event ELSE state END AS what,
              count(*)::int AS n
       FROM pg_stat_activity WHERE datname = current_database() AND application_name <> 'panier-bench-harness' AND state IS NOT NULL AND state <> 'idle'
       GROUP BY 1, 2`,
    ).then(({ rows }) => {
      samples++;
      for (const r of rows) {
        const byWhat = counts.get(r.app) ?? new Map<string, number>();
        byWhat.set(r.what, (byWhat.get(r.what) ?? 0) + r.n);
        counts.set(r.app, byWhat);
      }
    }, () => {});
    void Promise.all([locks, states]).finally(() => (busy = false));
  }, everyMs);
  return {
    /** Per application: the average number of sessions in each state (not idle). */
    stop(): { states: string[]; blockedOn: string[] } {
      clearInterval(timer);
      const avg = (n: number) => (n / Math.max(1, samples)).toFixed(1);
      return {
        states: [...counts].map(([app, byWhat]) => `${app || '(no name)'}: ${[...byWhat].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([what, n]) => `${avg(n)} ${what}`).join(', ')}`),
        blockedOn: [...blocked].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([q, n]) => `${avg(n)} × "${q}"`),
      };
    },
  };
}
