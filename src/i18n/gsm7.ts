// Keeps SMS text in GSM-7: one character outside it (ê, ç, œ, ’, « », an emoji) makes the whole
// message UCS-2, at 70 characters a segment instead of 160. GSM-7 has é è à ù ì ò É Ç: kept.
const REPLACEMENTS: Record<string, string> = {
  â: 'a', ê: 'e', î: 'i', ô: 'o', û: 'u', ë: 'e', ï: 'i', ÿ: 'y', ç: 'c', á: 'a', í: 'i', ó: 'o', ú: 'u', ã: 'a', õ: 'o',
  Â: 'A', Ê: 'E', Î: 'I', Ô: 'O', Û: 'U', À: 'A', È: 'E', Ë: 'E', Ï: 'I', Ù: 'U', Ÿ: 'Y', Á: 'A', Í: 'I', Ó: 'O', Ú: 'U',
  œ: 'oe', Œ: 'OE', æ: 'ae', '’': "'", '‘': "'", '`': "'", '´': "'", '«': '"', '»': '"', '“': '"', '”': '"', '„': '"',
  '–': '-', '—': '-', '…': '...', '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '°': 'o', '•': '-', '·': '.', '\t': ' ',
};

export const GSM7 = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€',
);

/** Characters of the GSM-7 extension table: two septets each. */
export const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

/** The text with every character outside GSM-7 replaced by its nearest GSM-7 spelling. */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (GSM7.has(ch)) out += ch;
    else if (REPLACEMENTS[ch] !== undefined) out += REPLACEMENTS[ch];
    else {
      // other accented letters lose their accent; anything else (emoji, symbols) is dropped
      const base = ch.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
      out += [...base].every((c) => GSM7.has(c)) ? base : '';
    }
  }
  return out;
}
