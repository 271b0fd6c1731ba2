// The demo group "Panier de Lormes": realistic names, every pricing mode. Data only.
import type { CatalogRow } from '../catalog/csvImport.js';

export const DEMO_GROUP = {
  slug: 'lormes',
  name: 'Panier de Lormes',
  timeZone: 'Europe/Paris',
  number: '+33970000001',
  operatorPhone: '+33386220000',
  operatorHours: [
    { days: [1, 2, 3, 4, 5], from: '09:00', to: '12:00' },
    { days: [2, 4], from: '14:00', to: '17:00' },
  ],
};

export const DEMO_RELAY = { name: 'Épicerie du centre', address: "2 place de l'Eglise, 58140 Lormes" };

export const DEMO_PRODUCERS = [
  { name: 'Boulangerie Martin', kind: 'boulangerie' },
  { name: 'Les Jardins du Morvan', kind: 'maraîcher' },
  { name: 'Fromagerie des Collines', kind: 'fromagerie' },
  { name: 'Volailles Dubois', kind: 'volailles' },
  { name: 'Épicerie du centre', kind: 'épicerie et hygiène' },
];

type Row = Omit<CatalogRow, 'line' | 'variableWeight' | 'multiWeigh' | 'portionGrams' | 'packSize' | 'averageWeightGrams' | 'stock' | 'aliases' | 'vatRateBp'> &
  Partial<CatalogRow>;

const rows: Row[] = [
  // by the piece
  { producer: 'Boulangerie Martin', code: 1, name: 'Baguette tradition', category: 'Pain', unit: 'piece', priceCents: 120, aliases: ['baguette', 'tradi'] },
  { producer: 'Boulangerie Martin', code: 2, name: 'Pain de campagne 800 g', category: 'Pain', unit: 'piece', priceCents: 450, aliases: ['campagne', 'pain de campagne'] },
  { producer: 'Boulangerie Martin', code: 3, name: 'Croissant', category: 'Pain', unit: 'piece', priceCents: 110, stock: 40 },
  { producer: 'Boulangerie Martin', code: 4, name: 'Pain aux céréales', category: 'Pain', unit: 'piece', priceCents: 380, aliases: ['cereales'] },
  { producer: 'Boulangerie Martin', code: 5, name: 'Brioche tressée', category: 'Pain', unit: 'piece', priceCents: 600, stock: 10 },
  // by the kilo, priced after weighing
  { producer: 'Les Jardins du Morvan', code: 10, name: 'Pommes', category: 'Fruits et légumes', unit: 'kg', priceCents: 280, variableWeight: true, averageWeightGrams: 180, aliases: ['pomme'] },
  { producer: 'Les Jardins du Morvan', code: 11, name: 'Pommes de terre', category: 'Fruits et légumes', unit: 'kg', priceCents: 190, variableWeight: true, aliases: ['patates', 'pdt'] },
  { producer: 'Les Jardins du Morvan', code: 12, name: 'Carottes', category: 'Fruits et légumes', unit: 'kg', priceCents: 220, variableWeight: true, averageWeightGrams: 100, aliases: ['carotte'] },
  { producer: 'Les Jardins du Morvan', code: 13, name: 'Salade', category: 'Fruits et légumes', unit: 'piece', priceCents: 120, aliases: ['laitue'] },
  { producer: 'Les Jardins du Morvan', code: 14, name: 'Botte de poireaux', category: 'Fruits et légumes', unit: 'piece', priceCents: 250, aliases: ['poireaux', 'poireau'] },
  { producer: 'Les Jardins du Morvan', code: 15, name: 'Courge butternut', category: 'Fruits et légumes', unit: 'kg', priceCents: 260, variableWeight: true, averageWeightGrams: 1200, aliases: ['butternut', 'courge'] },
  // a pack
  { producer: 'Les Jardins du Morvan', code: 16, name: 'Oeufs (boîte de 6)', category: 'Oeufs', unit: 'piece', priceCents: 240, packSize: 6, aliases: ['oeufs', 'oeuf'] },
  // per 100 g with a standard portion
  { producer: 'Fromagerie des Collines', code: 20, name: 'Comté 18 mois', category: 'Fromages', unit: 'g100', priceCents: 260, variableWeight: true, portionGrams: 200, aliases: ['comte'] },
  { producer: 'Fromagerie des Collines', code: 21, name: 'Tomme du Morvan', category: 'Fromages', unit: 'g100', priceCents: 210, variableWeight: true, portionGrams: 250, aliases: ['tomme'] },
  { producer: 'Fromagerie des Collines', code: 22, name: 'Crottin de chèvre', category: 'Fromages', unit: 'piece', priceCents: 220, aliases: ['chevre', 'crottin'] },
  { producer: 'Fromagerie des Collines', code: 23, name: 'Yaourts nature (par 4)', category: 'Crèmerie', unit: 'piece', priceCents: 320, packSize: 4, aliases: ['yaourt', 'yaourts', 'yogourt'] },
  // by the litre
  { producer: 'Fromagerie des Collines', code: 24, name: 'Lait cru', category: 'Crèmerie', unit: 'litre', priceCents: 140, aliases: ['lait'] },
  { producer: 'Fromagerie des Collines', code: 25, name: 'Beurre doux 250 g', category: 'Crèmerie', unit: 'piece', priceCents: 350, aliases: ['beurre'] },
  // weighed pieces: one real weight per bird
  { producer: 'Volailles Dubois', code: 30, name: 'Poulet fermier', category: 'Volailles', unit: 'kg', priceCents: 1150, variableWeight: true, multiWeigh: true, averageWeightGrams: 1800, stock: 12, aliases: ['poulet', 'poulets'] },
  { producer: 'Volailles Dubois', code: 31, name: 'Pintade', category: 'Volailles', unit: 'kg', priceCents: 1390, variableWeight: true, multiWeigh: true, averageWeightGrams: 1400, stock: 6, aliases: ['pintades'] },
  { producer: 'Volailles Dubois', code: 32, name: 'Oeufs plein air (boîte de 12)', category: 'Oeufs', unit: 'piece', priceCents: 420, packSize: 12, aliases: ['oeufs plein air'] },
  // loose goods per 100 g
  { producer: 'Épicerie du centre', code: 40, name: 'Lentilles vertes en vrac', category: 'Épicerie', unit: 'g100', priceCents: 45, variableWeight: true, portionGrams: 500, aliases: ['lentilles'] },
  { producer: 'Épicerie du centre', code: 41, name: 'Huile de colza', category: 'Épicerie', unit: 'litre', priceCents: 560, aliases: ['huile'] },
  { producer: 'Épicerie du centre', code: 42, name: 'Café moulu 250 g', category: 'Épicerie', unit: 'piece', priceCents: 480, aliases: ['cafe'] },
  { producer: 'Épicerie du centre', code: 43, name: 'Savon de Marseille', category: 'Hygiène', unit: 'piece', priceCents: 390, vatRateBp: 2000, aliases: ['savon'] },
  { producer: 'Épicerie du centre', code: 44, name: 'Papier toilette (par 6)', category: 'Hygiène', unit: 'piece', priceCents: 320, packSize: 6, vatRateBp: 2000, aliases: ['papier wc', 'pq'] },
];

export const DEMO_PRODUCTS: CatalogRow[] = rows.map((r, i) => ({
  line: i + 2,
  variableWeight: false,
  multiWeigh: false,
  portionGrams: null,
  packSize: null,
  averageWeightGrams: null,
  stock: null,
  aliases: [],
  vatRateBp: 550,
  ...r,
}));

export const DEMO_STAFF = [
  { role: 'coordinator' as const, name: 'Claire Coordination', email: 'coordination@lormes.demo', password: 'demo-coordination' },
  { role: 'operator' as const, name: 'Sophie Standard', email: 'standard@lormes.demo', password: 'demo-standard' },
  { role: 'delivery_lead' as const, name: 'Marc Livraisons', email: 'livraisons@lormes.demo', password: 'demo-livraisons', phone: '+33612000001' },
  // creates groups and edits their settings (never a resident's data)
  { role: 'platform_admin' as const, name: 'Alex Plateforme', email: 'plateforme@lormes.demo', password: 'demo-plateforme' },
];

export const DEMO_COURIERS = [
  { name: 'Julie (bénévole)', phone: '+33612000011' },
  { name: 'Ahmed (agent municipal)', phone: '+33612000012' },
  { name: 'Pierre (bénévole)', phone: '+33612000013' },
];

export const DEMO_CUSTOMERS = [
  { name: 'Madame Martin', phone: '+33386220101', address: '12 rue du Pont, 58140 Lormes', deliveryByDefault: true },
  { name: 'Monsieur Bernard', phone: '+33612345678', address: '3 chemin des Vignes, 58140 Lormes', deliveryByDefault: false },
];
