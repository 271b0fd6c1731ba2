// npm run eval:voice — the SMS corpus said on the phone: each text turned into what a speech
// recogniser returns (lower case, no punctuation, numbers as digits or words), then read through
// the voice menu's speech step. Goal: >= 90 % exact. Also prints the spoken length of the main paths.
import { MAIN_PATHS, scoreVoicePath, walk } from './voiceCorpus.js';

const score = scoreVoicePath();
for (const f of score.failures) console.log(f);
const share = (100 * score.exact) / score.total;
console.log(`\nvoice path (speech transcripts of the SMS corpus): ${score.exact}/${score.total} = ${share.toFixed(1)} % exact (goal >= 90 %: ${share >= 90 ? 'met' : 'NOT met'})`);

console.log('\nspoken length of the main paths (words said before each action; seconds at 150 words a minute):');
for (const [name, inputs] of MAIN_PATHS) {
  const counts = walk(inputs);
  const total = counts.reduce((a, b) => a + b, 0);
  const seconds = (total / 150) * 60;
  console.log(`  ${name}: ${counts.join(' + ')} = ${total} words ≈ ${Math.round(seconds)} s${name.startsWith('reorder') ? ` (goal < 90 s: ${seconds < 90 ? 'met' : 'NOT met'})` : ''}`);
}
