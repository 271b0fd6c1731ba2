// npm run eval:sms — the order reader on the labelled order corpus, and the conversation's intent
// reading on the conversational corpus, each with its held-out part scored apart (goal >= 95 %);
// then the SMS segments a reply costs on the conversational corpus (aim: mean <= 1.3, max 3).
// `--failures` lists every text read wrong.
import path from 'node:path';
import { CONVERSATIONS, CONVERSATIONS_HELD_OUT, loadConversations, scoreConversations, segmentStats } from './conversations.js';
import { loadCorpus, scoreReader } from './corpus.js';

const verbose = process.argv.includes('--failures');
const pct = (a: number, b: number) => (100 * a) / b;
const goal = (share: number) => `goal >= 95 %: ${share >= 95 ? 'met' : 'NOT met'}`;

for (const [name, file] of [['order corpus', undefined], ['order corpus, held-out', path.resolve('test/corpus/sms-orders-heldout.txt')]] as const) {
  const score = scoreReader(loadCorpus(file));
  if (verbose) for (const f of score.failures) console.log(`line ${f.line}: ${JSON.stringify(f.text)}\n  expected ${f.expected.join(' ') || '-'}\n  got      ${f.got.join(' ') || '-'}`);
  const share = pct(score.exact, score.total);
  console.log(`SMS order reader, ${name}: ${score.exact}/${score.total} texts read exactly right = ${share.toFixed(1)} % (${goal(share)})`);
}

for (const [name, file] of [['conversational corpus', CONVERSATIONS], ['conversational corpus, held-out', CONVERSATIONS_HELD_OUT]] as const) {
  const cases = loadConversations(file);
  const score = scoreConversations(cases);
  if (verbose) for (const f of score.failures) console.log(`line ${f.line}: ${JSON.stringify(f.text)}\n  expected ${f.expected}\n  got      ${f.got}`);
  const share = pct(score.exact, score.total);
  const seg = segmentStats(cases);
  console.log(
    `SMS intents, ${name}: ${score.exact}/${score.total} cases (${score.messages} texts) read right, intent and outcome = ${share.toFixed(1)} % (${goal(share)}); ` +
      `replies: ${seg.mean.toFixed(2)} segments on average (aim <= 1.3), ${seg.max} at most (limit 3)`,
  );
}
