/**
 * The code tables of the interfaces: those of domain/codes.ts under the names the XSD and OpenAPI
 * give them, and a few of the catalogue's own (ours).
 */
import { areas } from '../../domain/area.ts';
import {
  applicationKinds,
  contractDecisionMethods,
  contractTypes,
  discontinuationMethods,
  meterKinds,
  relayDecisions,
  relayNgReasons,
  relayStatuses,
  stages,
  supplyPointStatuses,
  updateFlags,
  voltageClasses,
} from '../../domain/codes.ts';
import type { CodeTable } from './types.ts';

function table(name: string, codes: Readonly<Record<string, string>>): CodeTable {
  return { name, codes };
}

/** Some codes of a table, under a name of their own (e.g. the two move-out kinds of 申込種別). */
export function subset<const C extends string>(name: string, of: CodeTable, codes: readonly C[]): CodeTable {
  const picked: Record<string, string> = {};
  for (const code of codes) {
    const label = of.codes[code];
    if (label === undefined) throw new Error(`${code} is not a code of ${of.name}`);
    picked[code] = label;
  }
  return table(name, picked);
}

/** Code tables by name; one name, one list of codes (a subset made twice is the same table). */
export function registerCodeTable(tables: Map<string, CodeTable>, table: CodeTable): void {
  const known = tables.get(table.name);
  if (known && JSON.stringify(known.codes) !== JSON.stringify(table.codes)) throw new Error(`two code tables are named ${table.name}`);
  tables.set(table.name, table);
}

export const updateFlag = table('UpdateFlag', updateFlags);
export const applicationKind = table('ApplicationKind', applicationKinds);
export const stage = table('Stage', stages);
export const relayStatus = table('RelayStatus', relayStatuses);
export const relayDecision = table('RelayDecision', relayDecisions);
export const relayNgReason = table('RelayNgReason', relayNgReasons);
export const contractType = table('ContractType', contractTypes);
export const supplyPointStatus = table('SupplyPointStatus', supplyPointStatuses);
export const meterKind = table('MeterKind', meterKinds);
export const voltageClass = table('VoltageClass', voltageClasses);
export const discontinuationMethod = table('DiscontinuationMethod', discontinuationMethods);
export const contractDecisionMethod = table('ContractDecisionMethod', contractDecisionMethods);

/** 需要者の承諾 (slide 27; the code is ours): 1 the customer has consented. */
export const consent = table('Consent', { '1': '承諾済' });

/** 有無 (ours): meter work needed, more pages to fetch. */
export const flag = table('Flag', { '0': 'なし', '1': 'あり' });

/** エリア: the ten area codes with their names. */
export const area = table('Area', Object.fromEntries(areas.map((a) => [a.code, a.name])));

/** 事業者種別 and 利用状態 (ours), as the hub keeps participants. */
export const participantKind = table('ParticipantKind', {
  hub: '広域機関',
  grid: '一般送配電事業者',
  retailer: '小売電気事業者',
  generator: '発電者',
});
export const participantStatus = table('ParticipantStatus', { active: '利用中', suspended: '利用停止' });
