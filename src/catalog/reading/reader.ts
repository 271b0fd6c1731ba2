// The reader of French order text ("2 baguettes et 1 kg de pommes"), for SMS and speech
// transcripts alike. Pure: text and catalogue in, lines, questions and unknown words out.
import { createMatcher } from './matcher.js';
import { fold } from './normalize.js';
import { NUMBER_WORD_PATTERN, numberWord, unitOf } from './quantities.js';
import type { LineNote, QuantityAsked, ReaderProduct, ReadLine, ReadResult } from './types.js';

export type { ReadResult, ReadLine, ReadQuestion, ReaderProduct, LineNote } from './types.js';

// Greetings, politeness, "I would like", signatures: none of it is an order.
const FILLER = [
  "s'il vous plait", 's il vous plait', "s'il vous plaît", "s'il te plait", 's il te plait', 'sil vous plait', 'svp', 'stp', 'svpl', 'please',
  'merci beaucoup', 'merci bien', 'merci davance', "merci d'avance", 'merci', 'mci', 'mrc',
  'bonjour', 'bonsoir', 'bjr', 'bsr', 'salut', 'slt', 'coucou', 'hello', 'allo', 'cordialement', 'bien cordialement', 'bonne journee', 'bonne soiree', 'bonne fin de journee', 'a bientot', 'a vendredi', 'bises', 'bisous', 'amities',
  'je voudrais bien', 'je voudrai', 'je voudrais', 'je voulais', "j'aimerais", 'jaimerais', "j'aimerai", 'je veux', 'je souhaite', 'je souhaiterais', 'je prends', 'je prendrai', 'je prendrais', 'je commande', 'je vais prendre',
  'il me faut', 'il me faudrait', 'il me faudra', 'pourriez vous me mettre', 'pourriez-vous me mettre', 'pouvez vous me mettre', 'pouvez-vous me mettre', 'vous pouvez me mettre', 'mettez moi', 'mettez-moi', 'mets moi', 'mets-moi', 'ajoutez', 'rajoutez', 'ajouter',
  'madame', 'monsieur', 'mademoiselle', 'ce sera', 'ce serait', 'ca sera', 'jvoudrai', 'jvoudrais', 'jveux', 'jprends', 'ok', "c'est", 'cest', 'voila',
  'pour lundi', 'pour mardi', 'pour mercredi', 'pour jeudi', 'pour samedi', 'pour dimanche', 'pour demain', 'pour ce vendredi', 'pour ce samedi',
  'pour moi', 'pour cette semaine', 'pour la semaine', 'pour vendredi', 'cette semaine', 'commande', 'ma commande', 'voici', 'comme dhabitude', "comme d'habitude", 'aussi', 'egalement', 'encore', 'si possible', 'si vous avez', 'si il y en a', "s'il y en a", 'avoir', 'il vous plait',
];
const FILLER_PATTERN = new RegExp(`(^|[^a-z'])(${FILLER.sort((a, b) => b.length - a.length).map((f) => f.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')})(?=$|[^a-z])`, 'g');
// "Mme Dupont", "Monsieur Jean Petit", "-- Jeanne": a signature, up to the end of its line
const SIGNATURE_PATTERN = /(^|[\s,.;!])(mme|madame|mlle|mademoiselle|monsieur|mr|m\.|de la part de|--)\s+[a-z'-]+(\s+[a-z'-]+)?\s*[.!]*\s*($|\n|,|\.)/g;

const SEPARATOR = /\n|;|(?<!\d),|,(?!\d)|\+|\.(?=\s|$)|!|\bet\b|\bpuis\b|\bainsi que\b|\bavec\b|\bplus\b/;
const NUM = `(?:\\d+(?:[.,]\\d+)?|${NUMBER_WORD_PATTERN})`;

function toNumber(token: string): number | undefined {
  const word = numberWord(token);
  if (word !== undefined) return word;
  const n = Number(token.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

interface Parsed {
  quantity: QuantityAsked;
  range: boolean;
  productText: string;
  code: number | null;
}

/** Reads the code forms of the printed sheet: "12 x2", "2 x 12", "code 12 : 2", "#12 2", "n°12". */
function readCode(segment: string, codes: Set<number>): { code: number; count: number } | null {
  let m = /^(?:code|n°|no|num|numero|ref|#)\s*(\d+)\s*(?:[:x*=]|fois)?\s*(\d+)?\s*(?:fois|x)?$/.exec(segment);
  if (m) return { code: Number(m[1]), count: m[2] ? Number(m[2]) : 1 };
  m = /^(\d+)\s*(?:x|\*|fois)\s*(\d+)$/.exec(segment);
  if (m) {
    const [a, b] = [Number(m[1]), Number(m[2])];
    // "12 x2": the x sticks to the count; "2 x 12" or "2x 12": the count comes first
    const xSticksRight = /\d\s+x\d/.test(segment) || /^\d+x\d+$/.test(segment);
    if (codes.has(a) && !codes.has(b)) return { code: a, count: b };
    if (codes.has(b) && !codes.has(a)) return { code: b, count: a };
    return xSticksRight ? { code: a, count: b } : { code: b, count: a };
  }
  m = /^(\d+)\s*(?:x|fois)$/.exec(segment);
  if (m && codes.has(Number(m[1]))) return null;
  m = /^(\d+)$/.exec(segment);
  if (m && codes.has(Number(m[1]))) return { code: Number(m[1]), count: 1 };
  return null;
}

/** Quantity, unit and product words of one item ("1 kg de pommes", "pommes 1kg500", "une douzaine d'oeufs"). */
function parseItem(segment: string): Parsed {
  const q: QuantityAsked = { count: null, grams: null, litres: null, packs: false };
  let text = ` ${segment} `;
  let range = false;
  const take = (re: RegExp, apply: (m: RegExpExecArray) => void) => {
    const m = re.exec(text);
    if (!m) return false;
    apply(m);
    text = text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length);
    return true;
  };
  /** The first pattern that matches is taken, the others are not tried. */
  const takeFirst = (...candidates: [RegExp, (m: RegExpExecArray) => void][]) => candidates.some(([re, apply]) => take(re, apply));
  const grams = (n: number) => (q.grams = Math.round(n));
  // ranges: "deux-trois", "2 ou 3", "2 a 3" → ask
  take(new RegExp(`\\s(${NUM})\\s*(?:-|ou|a|/)\\s*(${NUM})(?=\\s)(?!\\s*(?:g|kg|l)\\b)`), () => (range = true));
  // weights and volumes
  takeFirst(
    [/\sx\s*(\d+)\s*(?:kg|kilos?)(?=\s|$)/, (m) => grams(Number(m[1]) * 1000)],
    [new RegExp(`\\s(${NUM})\\s*(?:kg|kilos?)\\s*(\\d{3})(?=\\s)`), (m) => grams((toNumber(m[1]!) ?? 1) * 1000 + Number(m[2]))],
    [/\s(\d+)\s*kg\s*(\d{1,3})(?=\s)/, (m) => grams(Number(m[1]) * 1000 + Number(m[2]!.padEnd(3, '0')))],
    [new RegExp(`\\s(?:un|une|1)?\\s*(${NUM})?\\s*(kilos?|kg)\\s+et\\s+demi`), (m) => grams(((m[1] ? toNumber(m[1]) : 1) ?? 1) * 1000 + 500)],
    [/\s(?:un|une|1)?\s*demi[\s-]*(kilos?|kg|livre)\b/, (m) => grams(m[1] === 'livre' ? 250 : 500)],
    [/\s1\/2\s*(kilos?|kg)\b/, () => grams(500)],
    [new RegExp(`\\s(${NUM})\\s*(g|gr|grs|grammes?|kg|kgs|kilos?|kilogrammes?|livres?|l|lt|litres?)(?=\\s|$)`), (m) => {
      const n = toNumber(m[1]!) ?? 1;
      const unit = unitOf(m[2]!)!;
      if (unit.kind === 'litres') q.litres = n;
      else grams(n * unit.factor);
    }],
    [/\s(une?|la)\s+(livre|kilo)\b/, (m) => grams(m[2] === 'livre' ? 500 : 1000)],
  );
  // dozens
  takeFirst(
    [new RegExp(`\\s(?:(${NUM})\\s+)?demi[\\s-]*douzaines?\\b`), (m) => (q.count = 6 * ((m[1] ? toNumber(m[1]) : 1) ?? 1))],
    [new RegExp(`\\s(?:(${NUM})\\s+)?douzaines?\\b`), (m) => (q.count = 12 * ((m[1] ? toNumber(m[1]) : 1) ?? 1))],
  );
  // a count, with or without a unit word ("2 baguettes", "3 boites d'oeufs", "deux bouteilles")
  if (q.count === null && q.grams === null && q.litres === null) {
    take(new RegExp(`\\s(${NUM})\\s*(?:x\\s)?\\s*(?:([a-z]+)\\s)?`), (m) => {
      const n = toNumber(m[1]!);
      if (n === undefined) return;
      q.count = n;
      const unit = m[2] ? unitOf(m[2]) : undefined;
      if (unit?.kind === 'pack') {
        q.packs = true;
        // "2 boites de 6 oeufs": the 6 tells the pack, not a count
        text = text.replace(/^\s*de\s+\d+\s/, ' ');
      }
      // a unit word that is no unit ("2 baguettes") goes back to the product words
      if (m[2] && !unit) text = ` ${m[2]} ${text}`;
    });
  }
  // a count written after the product ("baguettes x2", "pain 2")
  if (q.count === null && q.grams === null && q.litres === null) {
    take(/\s(?:x\s*)?(\d+)\s*(?:x|fois)?\s*$/, (m) => (q.count = Number(m[1])));
  }
  const productText = text.replace(/\b(d'|de |du |des |l'|la |le |les )/g, ' ').replace(/\s+/g, ' ').trim();
  return { quantity: q, range, productText, code: null };
}

function isBlank(text: string): boolean {
  return !/[a-z0-9]/.test(text);
}

/** Turns what was asked into what the product is sold by, noting any conversion. */
function toLine(product: ReaderProduct, q: QuantityAsked, byCode = false): ReadLine | null {
  const notes: LineNote[] = [];
  const weighed = product.unit === 'kg' || product.unit === 'g100';
  if (weighed && byCode && !product.multiWeigh && !product.portionGrams && q.count !== null) {
    // keyed from the printed sheet, which prices it by the kilo (or 100 g): a count of those
    if (!Number.isInteger(q.count) || q.count <= 0) return null;
    return { product, quantity: 1, requestedGrams: q.count * (product.unit === 'kg' ? 1000 : 100), notes };
  }
  if (weighed) {
    if (q.grams !== null) {
      if (product.multiWeigh && product.averageWeightGrams) {
        // poultry is weighed piece by piece: a weight becomes a number of birds
        const pieces = Math.max(1, Math.round(q.grams / product.averageWeightGrams));
        notes.push({ kind: 'weight_to_pieces', grams: q.grams, pieces });
        return { product, quantity: pieces, requestedGrams: null, notes };
      }
      return { product, quantity: 1, requestedGrams: q.grams, notes };
    }
    if (q.litres !== null) return null;
    const count = q.count ?? 1;
    if (!Number.isInteger(count) || count <= 0) return null;
    if (product.portionGrams) notes.push({ kind: 'portions', portions: count, portionGrams: product.portionGrams });
    else if (product.averageWeightGrams && !product.multiWeigh) notes.push({ kind: 'pieces_to_weight', pieces: count, grams: count * product.averageWeightGrams });
    else if (!product.averageWeightGrams && !product.portionGrams) {
      // "2 pommes de terre", "des patates" with no average weight: read as kilos
      return { product, quantity: 1, requestedGrams: count * (product.unit === 'kg' ? 1000 : 100), notes };
    }
    return { product, quantity: count, requestedGrams: null, notes };
  }
  if (product.unit === 'litre') {
    const litres = q.litres ?? q.count ?? 1;
    if (!Number.isInteger(litres) || litres <= 0) return null;
    return { product, quantity: litres, requestedGrams: null, notes };
  }
  // by the piece
  if (q.grams !== null) {
    if (!product.averageWeightGrams) return null;
    const pieces = Math.max(1, Math.round(q.grams / product.averageWeightGrams));
    notes.push({ kind: 'weight_to_pieces', grams: q.grams, pieces });
    return { product, quantity: pieces, requestedGrams: null, notes };
  }
  if (q.litres !== null) return null;
  const count = q.count ?? 1;
  if (!Number.isInteger(count) || count <= 0) return null;
  // a count of eggs or yogurts, not of boxes: rounded up to whole packs, and said so
  if (product.packSize && !q.packs) {
    const packs = Math.ceil(count / product.packSize);
    if (packs * product.packSize !== count) notes.push({ kind: 'packs_rounded', asked: count, packs, packSize: product.packSize });
    return { product, quantity: packs, requestedGrams: null, notes };
  }
  return { product, quantity: count, requestedGrams: null, notes };
}

/** Splits "2 baguettes 3 croissants" before a count that follows product words. */
function splitRuns(segment: string): string[] {
  // "1 poulet 1 kg patates": a weight after a counted item starts a new one ("comte 200 g" does not)
  const startsCounted = new RegExp(`^(?:\\d+|${NUMBER_WORD_PATTERN})\\s`).test(segment);
  if (startsCounted) {
    segment = segment.replace(new RegExp(`([a-z])\\s+(?=(?:\\d+(?:[.,]\\d+)?|${NUMBER_WORD_PATTERN})\\s*(?:kg|kilos?|g|gr|grammes?|l|litres?)\\s+[a-z])`, 'g'), '$1\n');
  }
  return segment
    .replace(new RegExp(`(^|\\s)(?!(?:kg|kgs|kilos?|g|gr|l|litres?|ou|a|de|d')\\s)([a-z']*[a-z])\\s+(?=(?:\\d+|${NUMBER_WORD_PATTERN})\\s+(?!(?:g|gr|grammes?|kg|kilos?|l|litres?|x|fois|ou|a)\\b)[a-z])`, 'g'), '$1$2\n')
    .split('\n');
}

export function createOrderReader(products: ReaderProduct[]) {
  const match = createMatcher(products);
  const codes = new Map(products.map((p) => [p.code, p]));
  const codeSet = new Set(codes.keys());

  return function read(text: string): ReadResult {
    const result: ReadResult = { lines: [], questions: [], unknown: [] };
    let folded = fold(text).replace(/[?¿"“”«»()[\]{}*_~]/g, ' ').replace(/[ \t\u00a0]+/g, ' ');
    folded = folded
      .replace(/(\d+|un|une)\s*(kilos?|kg|litres?|l)\s+et\s+demie?\b/g, (_m, n: string, u: string) => `${toNumber(n) ?? 1},5 ${u}`)
      .replace(SIGNATURE_PATTERN, '$1\n')
      .replace(FILLER_PATTERN, '$1 ');
    const segments = folded.split(SEPARATOR).flatMap((s) => (s ? splitRuns(s.trim()) : [])).map((s) => s.trim().replace(/^[-:'.]+|[-:'.]+$/g, '').trim());
    const lastSegment = segments.filter((x) => x && !isBlank(x)).pop();
    for (const segment of segments) {
      if (!segment || isBlank(segment)) continue;
      const coded = readCode(segment, codeSet);
      if (coded) {
        const product = codes.get(coded.code);
        if (!product) {
          result.unknown.push(`code ${coded.code}`);
          continue;
        }
        const line = toLine(product, { count: coded.count, grams: null, litres: null, packs: true }, true);
        if (line) result.lines.push(line);
        else result.questions.push({ kind: 'how_many', phrase: segment, product });
        continue;
      }
      const item = parseItem(segment);
      if (isBlank(item.productText)) {
        // a number alone that is no code, or a quantity with nothing to buy
        if (/[a-z0-9]/.test(segment) && /\d/.test(segment)) result.unknown.push(segment);
        continue;
      }
      const found = match(item.productText);
      if (found.kind === 'unknown') {
        // a lone word closing the message, with no quantity nor article, is a signature ("Jeanne")
        const signature = segment === lastSegment && /^[a-z'-]+$/.test(segment) && !/^(du|de|des|d'|la|le|les|l'|un|une)/.test(segment);
        if (!signature) result.unknown.push(item.productText);
        continue;
      }
      if (found.kind === 'ambiguous') {
        result.questions.push({ kind: 'which_product', phrase: item.productText, options: found.options, quantity: item.quantity });
        continue;
      }
      if (item.range) {
        result.questions.push({ kind: 'how_many', phrase: segment, product: found.product });
        continue;
      }
      const line = toLine(found.product, item.quantity);
      if (!line) {
        result.questions.push({ kind: 'how_many', phrase: segment, product: found.product });
        continue;
      }
      if (found.fuzzy) line.notes.push({ kind: 'spelling', written: item.productText });
      result.lines.push(line);
    }
    return result;
  };
}

export type OrderReader = ReturnType<typeof createOrderReader>;

/** Lines for a question's chosen option, with the quantity first asked. */
export function lineForChoice(product: ReaderProduct, quantity: QuantityAsked): ReadLine | null {
  return toLine(product, quantity);
}
