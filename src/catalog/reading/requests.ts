// What a resident asks for beyond a list of products, in their own words: a price, a date, thanks,
// "enlevez les oeufs", "pareil que la dernière fois", "qu'on me l'apporte". Shared by SMS and speech
// transcripts, beside the order reader it leans on. Pure: text and reader in, a request out.
import { fold } from './normalize.js';
import type { ReaderProduct, ReadResult } from './types.js';

export type Request =
  | { kind: 'greeting' }
  | { kind: 'thanks' }
  | { kind: 'when' }
  | { kind: 'price'; products: ReaderProduct[] }
  /** `basket`: the basket named ("annulez le panier 6") */
  | { kind: 'cancel'; basket?: number }
  | { kind: 'remove'; products: ReaderProduct[] }
  | { kind: 'usual' }
  /** home delivery asked with nothing to order in the same text */
  | { kind: 'delivery'; address: string }
  | { kind: 'order'; read: ReadResult; delivery: { address: string } | null }
  /** nothing we could act on: the reading shows what was not understood */
  | { kind: 'unclear'; read: ReadResult };

type Read = (text: string) => ReadResult;

const GREETING = /\b(bonjour|bjr|bonsoir|bsr|salut|slt|coucou|hello|allo|hey)\b/;
const THANKS = /\b(merci|mrc|mci|thanks|thx)\b|\bbien re[cç]u\b|\bbien note\b/;
/** Words that carry no request of their own: greetings, thanks, courtesy, small talk, days. */
const CHATTER = new Set(
  (
    'bonjour bjr bonsoir bsr salut slt coucou hello allo hey merci mrc mci bcp beaucoup bien tres super parfait ok okay genial cool ' +
    'infiniment mille a au aux vous toi tous toutes tout pour et la le les l de du des d un une mon ma mes votre vos madame monsieur mademoiselle mme mr ' +
    'bonne bon journee soiree soir semaine weekend week end fin apres midi bises bisous amities cordialement cordiales salutations ' +
    'comment allez va ca vas gentil gentille adorable sympa c est cest ce s il plait svp stp please note recu avance bientot ' +
    'lundi mardi mercredi jeudi vendredi samedi dimanche demain prochain prochaine encore oui daccord accord livraison tt ' +
    'alors donc voila voici bref euh hum ensuite puis cette ce cet ces aussi egalement si possible ' +
    // the words of a correction ("finalement plutôt 1 seule baguette", "2 au lieu d'une")
    'finalement plutot seulement seule seul lieu non voulais dire mettez mets remplacez remplace place'
  ).split(' '),
);
/** Words that make an unknown phrase a sentence rather than a product name ("j'espere que vous allez bien"). */
const SENTENCE_WORDS = /(^|\s)(je|j|tu|il|elle|on|nous|vous|ils|elles|me|m|moi|te|se|mon|ma|mes|ton|ta|votre|vos|notre|nos|est|suis|sont|etes|ai|as|avez|avons|que|qui|car|parce|pas|plus|ne|n|si|quand|comme|merci|bonjour|bonsoir|espere|allez|va|vais|peux|pouvez|peut|fait|faire|semaine|journee|fille|fils|mere|pere|maman|papa|voisin|voisine|enfants|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|demain|matin|soir|midi|ici|aujourd|hui|domicile|maison|livrer|livraison|livree|livre|malade|besoin)(?=\s|$)/;

const WHEN = /\bquand\b|\bc quand\b|\bquel(le)?s? (jour|heure|date)\b|\ba quelle heure\b|\bjusqu ?a quelle\b|\bavant quand\b|\ba partir de quelle\b|\b(distribution|distrib|retrait)\b[^?]*\?\s*$/;
const PRICE = /\bcombien\b|\bprix\b|\btarifs?\b|\bcoutent?\b|\bcoute\b/;
const CANCEL = /\bannul\w*|\bj ?en veux plus\b|\bj ?en veux pas\b|\bn ?en veux plus\b|\bveux plus rien\b|\bveux plus du tout\b|\bveux plus de commande\b/;
const REMOVE = /\b(enlev|retir|supprim|oter|otez)\w*|\bveux plus\b|\bveux pas\b|\bprends? (plus|pas)\b|\bfinalement\b.*\b(pas|sans|plus)\b|\b(pas|sans|plus)\b.*\bfinalement\b|^(pas|plus) (de|d|du|des|le|la|les)\b/;
const USUAL = /\bpareil\b|\b(meme|memes) (chose|commande|panier|que)\b|\bcomme d ?hab\w*|\bque d ?hab\w*|\bhabituel(le)?\b|\bcomme (la|l|le) (derniere|dernier|semaine|fois)\b|\bcomme la derniere\b/;
const DELIVERY =
  /\b(a|me|nous|la|le|les|pour|faire) livrer\b|\blivr(ez|er|e|ee|es|ees)[- ]?(moi|nous)\b|\bme livre[rz]?\b|\blivraison (a|au|chez) (domicile|maison|moi)\b|\b(a|au) domicile\b|\bchez moi\b|\ba (la )?maison\b|\b(m|me|l|nous|les|le|la) ?(apporter|apportez|apporte|porter|portez|porte|deposer|deposez)\b|\bqu ?on me (l ?)?(apporte|porte|livre)\w*\b|\betre livree?s?\b|\b(pouvez|pourriez|peux|pourrais)[- ]vous (me )?livrer\b|\bvous (pouvez|pourriez) (me |nous )?livrer\b|^livraison\b/;
/**
 * The delivery request and what follows it in its sentence ("a livrer svp", "pouvez vous me livrer,
 * je ne marche pas bien"), cut from the order text: none of it is a product.
 */
const DELIVERY_TAIL =
  /((\b(a|me|m|moi|pour|c est|cest|je|j|voudrais|veux|aimerais|etre|vous|pouvez|pourriez|qu|on|l|le|la|les|nous|si|possible|svp|en|livraison)\s+)*\b(livr|domicile|chez moi|maison|apport|porter|porte|deposer)[^.,;!?\n]*)/g;
/** "Salut c'est Léa,", "Bonjour, je suis la fille de Mme Perrin.": who writes, not what they order. */
// "Bonjour c'est Mme Martin, 2 baguettes", "je suis Mme Roux je voudrais…": the name ends at a
// punctuation mark or where the order begins (without a comma, it swallowed the whole order)
const INTRODUCTION = /^(\W*(bonjour|bonsoir|salut|coucou|bjr|hello)\W*)?(c ?'?est|je suis|ici)\s+[^,.;:!?\n\d]*?(?:[,.;:!?\n]|(?=\s(?:je|j ?'|voudrais|veux|aimerais|souhaite\w*|pourriez|pouvez|il me faut|il me faudrait)\b))/;
// an address ends with its sentence: what follows ("… Lormes. Il lui faudrait 1 poulet") is the order
const ADDRESS = /\b(\d{1,4}\s*(bis|ter)?,?\s+(rue|chemin|route|place|avenue|av|impasse|allee|bd|boulevard|hameau|lieu[- ]dit|quai|cours|square|lotissement|residence|grande rue)\b(?:[^\n;.!?]|\.(?!\s|$))*)/i;

/** Words around a price or a removal ("combien coûte", "enlevez", "finalement") that name no product. */
const QUESTION_WORDS =
  /\b(combien|ca|ça|cout\w*|c ?est|quel(le)?|le prix|prix|tarifs?|fait|font|vendez|vend|il|elle|sont|est|a|pour|du|de|des|svp|stp|merci|bonjour|pourriez|pouvez|vous|me|dire|enlev\w*|retir\w*|supprim\w*|ot\w*|finalement|pas|sans|plus|je|j|ne|n|veux|voulais|prends?|moi|kilo|la piece|piece|les|le|la|l|un|une|d)\b/g;

export function createRequestReader(read: Read) {
  /** The products a phrase names: one each, or every option of a word that names several. */
  function productsNamed(text: string): ReaderProduct[] {
    const stripped = text.replace(QUESTION_WORDS, ' ').replace(/\s+/g, ' ').trim();
    if (!stripped) return [];
    const r = read(stripped);
    const found = [...r.lines.map((l) => l.product), ...r.questions.flatMap((q) => (q.kind === 'which_product' ? q.options : q.product ? [q.product] : []))];
    return [...new Map(found.map((p) => [p.id, p])).values()];
  }

  /** Unknown phrases that are sentences or small talk are not listed as "Pas au catalogue". */
  function withoutChatter(r: ReadResult): ReadResult {
    const unknown = r.unknown.filter((u) => {
      const f = fold(u).replace(/[^a-z0-9 ]+/g, ' ').replace(/\s+/g, ' ').trim();
      if (!f) return false;
      if (SENTENCE_WORDS.test(f)) return false;
      return !f.split(' ').every((w) => CHATTER.has(w));
    });
    return { ...r, unknown };
  }

  /** The text made only of courtesy: greeting or thanks, or null. */
  function courtesy(text: string): 'greeting' | 'thanks' | null {
    // a self-introduction ("je suis la fille de Mme Perrin", "c'est Léa") is courtesy too
    const clean = (t: string) => t.replace(/['’-]/g, ' ').replace(/[^a-z0-9\n ]+/g, ' ');
    const f = clean(fold(text));
    const words = clean(fold(`${text}\n`).replace(INTRODUCTION, ' ')).split(/\s+/).filter(Boolean);
    if (!words.every((w) => CHATTER.has(w))) return null;
    if (THANKS.test(f) || /\bbonne (journee|soiree|fin|semaine)\b/.test(f) || /\b(bon weekend|a bientot)\b/.test(f)) return 'thanks';
    if (GREETING.test(f) || /\bcomment (allez|ca va)\b/.test(f)) return 'greeting';
    return null;
  }

  return function readRequest(text: string): Request {
    const f = fold(text).replace(/['’-]/g, ' ').replace(/[^a-z0-9?\n ]+/g, ' ').replace(/[ \t]+/g, ' ').trim();
    const named = () => productsNamed(f.replace(/\?/g, ' '));
    // "1 seule baguette", "2 baguettes au lieu d'une": the words say how many, they name nothing;
    // "une brioche s'il en reste": a wish, not a product
    const body = fold(text).replace(INTRODUCTION, ' ').replace(/\b(seule?s?|seulement)\b/g, ' ').replace(/\bau lieu d\S*(\s+(une?|\d+)\b)?/g, ' ')
      .replace(/\bs(?:i|\s?['’])\s?il (?:en reste|y en a)\b|\bsi vous en avez\b/g, ' ');
    const order = () => withoutChatter(read(body));

    if (USUAL.test(f) && order().lines.length === 0) return { kind: 'usual' };
    if (CANCEL.test(f)) {
      // "annulez les oeufs" removes a line; "annuler", "j'en veux plus" the whole order
      const products = named();
      if (products.length > 0 && !/\b(commande|panier|tout)\b/.test(f)) return { kind: 'remove', products };
      const basket = /\bpanier\s*(?:(?:n|no|n°|num|numero)\.?\s*)?(\d{1,4})\b/.exec(f);
      return basket ? { kind: 'cancel', basket: Number(basket[1]) } : { kind: 'cancel' };
    }
    if (REMOVE.test(f)) {
      const products = named();
      if (products.length > 0) return { kind: 'remove', products };
      if (/\bveux plus rien\b|\bplus rien\b/.test(f)) return { kind: 'cancel' };
    }
    if (PRICE.test(f)) return { kind: 'price', products: named() };
    if (WHEN.test(f)) {
      const r = order();
      if (r.lines.length === 0) return { kind: 'when' };
    }
    const wantsDelivery = DELIVERY.test(f);
    const address = wantsDelivery ? (ADDRESS.exec(text)?.[1]?.trim() ?? '') : '';
    if (wantsDelivery) {
      // the delivery sentence and the address are no products: read the order without them
      const rest = body.replace(address ? fold(address) : '\u0000', ' ').replace(/['’-]/g, ' ').replace(DELIVERY_TAIL, ' ');
      const r = withoutChatter(read(rest));
      if (r.lines.length > 0 || r.questions.length > 0) return { kind: 'order', read: r, delivery: { address } };
      return { kind: 'delivery', address };
    }
    // words of courtesy only: never an order, even when a typo-tolerant match finds one ("mille" → lentilles)
    const kind = courtesy(text);
    if (kind) return { kind };
    const r = order();
    // an address alone ("3 rue des Lilas"), after "Pour la livraison, répondez LIVRAISON et l'adresse"
    const alone = addressIn(text);
    if (alone && r.lines.length === 0 && r.questions.length === 0) return { kind: 'delivery', address: alone };
    if (r.lines.length > 0 || r.questions.length > 0) return { kind: 'order', read: r, delivery: null };
    return { kind: 'unclear', read: r };
  };
}

export type RequestReader = ReturnType<typeof createRequestReader>;

/** An address in a text ("3 chemin des Vignes, 58140 Lormes"), or "" when there is none. */
export function addressIn(text: string): string {
  return ADDRESS.exec(text)?.[1]?.trim() ?? '';
}
