// npm run eval:voice — the SMS corpus said on the phone: each text turned into what a speech
// recogniser returns (lower case, no punctuation, numbers as digits or words), then read through
// the voice menu's speech step. Goal: >= 90 % exact. Also prints the spoken length of the main paths.
import { MENU_SPEECH_PAUSE_S, ORDER_SPEECH_PAUSE_S } from '../../src/voice/menu.js';
import { MAIN_PATHS, scoreVoicePath, walk } from './voiceCorpus.js';

const score = scoreVoicePath();
for (const f of score.failures) console.log(f);
const share = (100 * score.exact) / score.total;
console.log(`\nvoice path (speech transcripts of the SMS corpus): ${score.exact}/${score.total} = ${share.toFixed(1)} % exact (goal >= 90 %: ${share >= 90 ? 'met' : 'NOT met'})`);

console.log(`\nspeech pauses: ${ORDER_SPEECH_PAUSE_S} s of silence end a spoken order (an elderly caller pausing to think is not cut off), ${MENU_SPEECH_PAUSE_S} s at the menus; each spoken answer adds its pause to the path`);
console.log('spoken length of the main paths (words said before each action; seconds at 150 words a minute, plus speech pauses):');
for (const [name, inputs] of MAIN_PATHS) {
  const counts = walk(inputs);
  const total = counts.reduce((a, b) => a + b, 0);
  // speech after "3" (say your order) ends on the order pause, speech at a menu on the menu pause
  const pauses = inputs.reduce((sum, input, i) => {
    if (input.kind !== 'speech') return sum;
    const before = inputs[i - 1];
    return sum + (before?.kind === 'digits' && before.digits === '3' ? ORDER_SPEECH_PAUSE_S : MENU_SPEECH_PAUSE_S);
  }, 0);
  const seconds = (total / 150) * 60 + pauses;
  const goal = name.startsWith('reorder') ? ` (goal < 90 s: ${seconds < 90 ? 'met' : 'NOT met'})` : name.startsWith('order by codes, 2 products') ? ` (aim <= 60 s: ${seconds <= 60 ? 'met' : 'NOT met'})` : '';
  console.log(`  ${name}: ${counts.join(' + ')} = ${total} words${pauses ? ` + ${pauses} s of pauses` : ''} ≈ ${Math.round(seconds)} s${goal}`);
}
