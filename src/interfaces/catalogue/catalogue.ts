/**
 * The interface catalogue: every IF_ interface the hub forwards to the grids (the 41 of slide 21)
 * and every IS_ interface the hub answers itself (SYSTEM.md §4).
 */
import { applicationInterfaces } from './applications.ts';
import { lookupInterfaces } from './lookup.ts';
import { mailboxInterfaces } from './mailbox.ts';
import { participantInterfaces } from './participants.ts';
import { relayInterfaces } from './relay.ts';
import type { InterfaceDefinition } from './types.ts';

export type { InterfaceDefinition } from './types.ts';

/** All interfaces, IF_ before IS_, each in ID order. */
export const interfaces: readonly InterfaceDefinition[] = [
  ...lookupInterfaces,
  ...applicationInterfaces,
  ...relayInterfaces,
  ...participantInterfaces,
  ...mailboxInterfaces,
].sort((a, b) => sortKey(a.id).localeCompare(sortKey(b.id)));

/** IF_ before IS_; by number, the unprefixed family before K and F ("IF_10110" < "IF_F10110" < "IF_10210"). */
function sortKey(id: string): string {
  const m = /^(I[FS])_([KF]?)(\d{5})$/.exec(id);
  if (!m) throw new Error(`not an interface ID: ${id}`);
  return `${m[1]}${m[3]}${m[2] === '' ? '0' : m[2] === 'K' ? '1' : '2'}`;
}

const byId = new Map(interfaces.map((d) => [d.id, d]));
if (byId.size !== interfaces.length) throw new Error('two interface definitions share an ID');

/** The definition of an interface, or undefined for an unknown ID (routes answer HTTP_NOT_FOUND). */
export function interfaceById(id: string): InterfaceDefinition | undefined {
  return byId.get(id);
}
