import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRegister, stale, textFields, unclassified } from './register.js';

const schema = fs.readFileSync(new URL('../../prisma/schema.prisma', import.meta.url), 'utf8');

describe('the register of personal data', () => {
  it('classifies every text field of the schema: personal (with purpose, retention, who sees it) or not', () => {
    expect(unclassified(schema)).toEqual([]);
    expect(stale(schema)).toEqual([]);
  });

  it('fails for a new personal field added without an entry', () => {
    const grown = schema.replace('  deliveryNotes         String?', '  deliveryNotes         String?\n  birthDate             String?');
    expect(unclassified(grown)).toEqual(['Customer.birthDate']);
  });

  it('reads fields, skipping ids, foreign keys, relations and comments', () => {
    const fields = textFields('model A {\n  id String @id\n  groupId String\n  phone String? // e164\n  tags String[]\n  data Json\n  b B @relation(fields: [x], references: [id])\n  @@index([phone])\n}\n');
    expect(fields.map((f) => `${f.field}:${f.type}`)).toEqual(['phone:String?', 'tags:String[]', 'data:Json']);
  });

  it('docs/registre-rgpd.md is the generated one (npm run docs:registre)', () => {
    const committed = fs.readFileSync(new URL('../../docs/registre-rgpd.md', import.meta.url), 'utf8');
    expect(committed).toBe(renderRegister(schema));
    expect(committed).toContain('| `address` | adresse de livraison | livrer à domicile |');
  });
});
