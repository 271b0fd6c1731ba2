// A resident's name given in passing: in a newcomer's introduction ("Bonjour je suis Mme Roux, je
// voudrais…") or with a yes once it was asked ("Oui. Mme Durand"). Pure; the conversation checks
// the catalogue does not read it as a product before keeping it.
import { fold } from '../catalog/reading/normalize.js';

/** A keyword in any case, while the name's own capitals still count (no /i on the whole pattern). */
const anyCase = (words: string) => words.replace(/\p{L}/gu, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`);

const CIVILITY = String.raw`(?:M\.|${anyCase('mr')}\.?|${anyCase('mme')}\.?|${anyCase('mlle')}\.?|${anyCase('madame')}|${anyCase('monsieur')}|${anyCase('mademoiselle')})`;
// a capitalised word: names are written so, the words around them mostly not
const WORD = String.raw`\p{Lu}[\p{Ll}\p{Lu}'’-]*`;
const NAME = String.raw`${CIVILITY}\s+${WORD}(?:[ -]${WORD})?|${WORD}(?:\s+${WORD}){0,2}`;
const WITH_CIVILITY = new RegExp(String.raw`^${CIVILITY}\s`, 'u');

const INTRODUCED = new RegExp(String.raw`(?:^|[\s,.!])(?:${anyCase('je suis')}|${anyCase('c')}\s?['’]?\s?${anyCase('est')}|${anyCase('ici')}|${anyCase('je m')}['’\s]\s?${anyCase('appelle')}|${anyCase('mon nom est')})\s+(${NAME})(?=$|[\s,.;:!?])`, 'u');
const YES_THEN_NAME = new RegExp(String.raw`^\s*(?:${anyCase('oui')}|${anyCase('ok')}|${anyCase('okay')}|${anyCase('d')}['’]${anyCase('accord')})(?![\p{L}])[\s.,!]*(?:${anyCase('merci')}(?:\s+${anyCase('beaucoup')})?[\s.,!]*)?(${NAME})[\s.!]*$`, 'u');

/** Capitalised words that are not names ("c'est Bon", "Oui Super", "je suis Dispo"). */
const NOT_NAMES = new Set([
  'bon', 'bien', 'tres', 'super', 'parfait', 'nickel', 'genial', 'merci', 'oui', 'non', 'ok', 'daccord', 'dispo', 'disponible', 'malade', 'absent', 'absente',
  'occupe', 'occupee', 'la', 'le', 'les', 'moi', 'pour', 'bonjour', 'bonsoir', 'salut', 'madame', 'monsieur', 'mademoiselle', 'vendredi', 'samedi',
  'dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'desole', 'desolee', 'content', 'contente', 'ravi', 'ravie', 'pret', 'prete', 'la-bas', 'dehors',
]);

function plausible(name: string, civility: boolean): boolean {
  const words = fold(name).replace(/['’]/g, '').split(/[\s-]+/).filter(Boolean);
  // after a civility, the name itself; without one, every word must look like a name
  const own = civility ? words.slice(1) : words;
  return own.length > 0 && own.every((w) => !NOT_NAMES.has(w.replace(/\.$/, '')));
}

/**
 * The name in an introduction, or with a yes: with a civility always, a bare name only when the
 * name was asked (`awaitingName`); null when there is none.
 */
export function nameGivenIn(text: string, opts: { awaitingName: boolean }): string | null {
  const introduced = INTRODUCED.exec(text)?.[1];
  if (introduced) {
    const civility = WITH_CIVILITY.test(introduced);
    return plausible(introduced, civility) ? introduced.trim() : null;
  }
  const afterYes = YES_THEN_NAME.exec(text)?.[1];
  if (afterYes) {
    const civility = WITH_CIVILITY.test(afterYes);
    if (!civility && !opts.awaitingName) return null;
    return plausible(afterYes, civility) ? afterYes.trim() : null;
  }
  return null;
}
