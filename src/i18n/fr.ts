// Every sentence a resident reads or hears, in French. SMS text stays within GSM-7 (no ê, â, ô,
// î, û, ç, œ, ’ or « »): one such character triples the price of a message.

export const voiceFr = {
  /** Until the voice menu opens (issue 4), a caller hears this. */
  holdingMessage: (groupName: string) =>
    `Bonjour, vous êtes bien au ${groupName}. La commande par téléphone ouvre bientôt. Merci de rappeler un peu plus tard. Au revoir.`,
};
