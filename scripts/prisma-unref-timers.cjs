// Preloaded into the Prisma CLI by scripts/prisma.mjs. The WASM schema engine arms a 10 s timeout
// beside each database call and never clears it, so every `migrate deploy` lingered 10 s after it
// had finished. Long timers are unref'd: they still fire if the CLI is otherwise busy (a query in
// flight keeps the process alive), but no longer hold an idle CLI open.
'use strict';
const originalSetTimeout = global.setTimeout;
global.setTimeout = function setTimeoutUnrefLong(fn, ms, ...args) {
  const timer = originalSetTimeout(fn, ms, ...args);
  if (typeof ms === 'number' && ms >= 5000 && timer && typeof timer.unref === 'function') timer.unref();
  return timer;
};
