// npm run eval:sms — share of the labelled SMS corpus read exactly right (goal >= 95 %).
import { loadCorpus, scoreReader } from './corpus.js';

import path from 'node:path';

const heldOut = process.argv.includes('--held-out');
const score = scoreReader(heldOut ? loadCorpus(path.resolve('test/corpus/sms-orders-heldout.txt')) : loadCorpus());
for (const f of score.failures) {
  console.log(`line ${f.line}: ${JSON.stringify(f.text)}\n  expected ${f.expected.join(' ') || '-'}\n  got      ${f.got.join(' ') || '-'}`);
}
const share = (100 * score.exact) / score.total;
console.log(`\nSMS order reader${heldOut ? ' (held-out texts)' : ''}: ${score.exact}/${score.total} texts read exactly right = ${share.toFixed(1)} % (goal >= 95 %: ${share >= 95 ? 'met' : 'NOT met'})`);
