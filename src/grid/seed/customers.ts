/**
 * Synthetic customers (需要者): people for homes, shop names (屋号), companies with their legal form
 * before or after the name (前株/後株), and neighbourhood associations for street lights, each with a
 * kana reading, its normalised key for prefix search, a phone number and a contact address.
 *
 * Phone numbers use real trunk prefixes and so may be someone's: they are shown in a sandbox only.
 */
import { normalizeKana } from '../../domain/kana.ts';
import { draw, intBetween, pick, weighted, type Random } from '../registry/random.ts';
import type { Place } from './places.ts';
import { factorySuffixes, givenNames, legalForms, officeSuffixes, shopSuffixes, streetlightHolders, surnames, townKana, type Named } from './names.ts';

export type CustomerKind = 'person' | 'shop' | 'office' | 'factory' | 'streetlight';
export type PlaceKind = 'person' | 'business';

export interface SyntheticCustomer {
  readonly nameKanji: string;
  readonly nameKana: string;
  readonly phone: string | null;
  readonly place: Place;
}

const surnameTable = weighted(surnames.map((name, rank) => [name, 1 / (rank + 8)] as const));

/** Names repeat (60 surnames × 36 given names), so each key is normalised once. */
const kanaKeys = new Map<string, string>();

function kanaKey(kana: string): string {
  let key = kanaKeys.get(kana);
  if (key === undefined) {
    key = normalizeKana(kana);
    kanaKeys.set(kana, key);
  }
  return key;
}

/** The full-width space Japanese registers put between parts of a name. */
const space = '\u3000';

function businessName(random: Random, suffixes: readonly Named[]): Named {
  const [surname, surnameKana] = draw(random, surnameTable);
  const [suffix, suffixKana] = pick(random, suffixes);
  const [form, formKana] = pick(random, legalForms);
  return random() < 0.6
    ? [`${form}${surname}${suffix}`, `${formKana}${space}${surnameKana}${suffixKana}`]
    : [`${surname}${suffix}${form}`, `${surnameKana}${suffixKana}${space}${formKana}`];
}

function personName(random: Random): Named {
  const [surname, surnameKana] = draw(random, surnameTable);
  const [given, givenKana] = pick(random, givenNames);
  return [`${surname}${space}${given}`, `${surnameKana}${space}${givenKana}`];
}

function name(random: Random, kind: CustomerKind, where: Place): Named {
  switch (kind) {
    case 'person':
      return personName(random);
    case 'shop': {
      if (random() < 0.5) return personName(random); // a sole proprietor in their own name
      const [surname, surnameKana] = draw(random, surnameTable);
      const [suffix, suffixKana] = pick(random, shopSuffixes);
      return [`${surname}${suffix}`, `${surnameKana}${suffixKana}`];
    }
    case 'office':
      return businessName(random, officeSuffixes);
    case 'factory':
      return businessName(random, factorySuffixes);
    case 'streetlight': {
      const [holder, holderKana] = pick(random, streetlightHolders);
      return [`${where.town}${holder}`, `${townKana[where.town] ?? ''}${holderKana}`];
    }
  }
}

function digits(random: Random, length: number): string {
  return String(intBetween(random, 10 ** (length - 1), 10 ** length - 1));
}

/** 5% gave no number; people mostly give a mobile, businesses a landline of the prefecture. */
function phone(random: Random, kind: CustomerKind, where: Place): string | null {
  const u = random();
  if (u < 0.05) return null;
  if (kind === 'person' && u < 0.75) return `${pick(random, ['090', '080', '070'])}-${digits(random, 4)}-${digits(random, 4)}`;
  const code = where.prefecture.phone;
  // Ten digits in all: the trunk prefix, then the local exchange, then four digits.
  return `${code}-${digits(random, 6 - code.length)}-${digits(random, 4)}`;
}

export function makeCustomer(random: Random, kind: CustomerKind, where: Place, place: (kind: PlaceKind) => Place): SyntheticCustomer {
  const [nameKanji, nameKana] = name(random, kind, where);
  const number = phone(random, kind, where);
  // Most customers live or work at the supply point; some (landlords, head offices) elsewhere.
  const elsewhere = random() < (kind === 'person' ? 0.05 : 0.2);
  return { nameKanji, nameKana, phone: number, place: elsewhere ? place(kind === 'person' ? 'person' : 'business') : where };
}

/** The customer's COPY line, in `customerColumns` order. */
export function customerLine(customerId: number, c: SyntheticCustomer): string {
  const { place } = c;
  const city = place.prefecture.cities[place.cityIndex] as string;
  return (
    `${customerId}\t${c.nameKanji}\t${c.nameKana}\t${kanaKey(c.nameKana)}\t${c.phone ?? '\\N'}\t` +
    `${place.prefecture.name}\t${city}\t${place.street}\t${place.building ?? '\\N'}\n`
  );
}
