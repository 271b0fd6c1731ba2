// Writes docs/registre-rgpd.md from prisma/schema.prisma and src/privacy/registry.ts.
// Usage: npm run docs:registre
import fs from 'node:fs';
import { renderRegister, unclassified } from '../src/privacy/register.js';

const schema = fs.readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
const missing = unclassified(schema);
if (missing.length > 0) {
  console.error(`Classify these fields in src/privacy/registry.ts first: ${missing.join(', ')}`);
  process.exit(1);
}
fs.mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
fs.writeFileSync(new URL('../docs/registre-rgpd.md', import.meta.url), renderRegister(schema));
console.log('docs/registre-rgpd.md written');
