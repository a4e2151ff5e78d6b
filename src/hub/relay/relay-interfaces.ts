/**
 * The relay interfaces at the hub (called from hub/interfaces/call.ts after validation):
 *
 *   IS_20110  register (1), modify (2), cancel (3)      the new retailer
 *   IS_20210  result list of the relays it registered   the new retailer
 *   IS_20310  list of the relays addressed to it         the old retailer (counts as a fetch)
 *   IS_20410  decision OK / NG                           the old retailer
 *
 * and their K (HV) and F (LV FIT) variants, each of which sees and acts on relays of its family
 * only. Every relay a list or answer shows is recorded in the request's audit record (its supply
 * point): who read whose data is answerable at once (slide 46).
 */
import { relayStatuses } from '../../domain/codes.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceFamily } from '../../interfaces/catalogue/types.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import type { Actor } from '../policy.ts';
import { decideRelay, fileRelays, listRelays, relayFilterOf, type RelayDeps } from './relay.commands.ts';
import type { RelayView } from './relay.repository.ts';

export interface RelayCall {
  readonly actor: Actor;
  readonly audit: { supplyPointIds: string[] };
}

/** One relay as the interfaces give it, in the family's words (customer or generator). */
export function relayItem(relay: RelayView, family: InterfaceFamily): FieldValues {
  const item: Record<string, string | FieldValues> = {
    relayNumber: relay.relayNumber,
    supplyPointId: relay.supplyPointId,
    oldRetailerCode: relay.oldParticipantCode,
    oldRetailerName: relay.oldRetailerName,
    newRetailerCode: relay.newParticipantCode,
    newRetailerName: relay.newRetailerName,
    status: relay.status,
    statusName: relayStatuses[relay.status],
    registeredAt: relay.registeredAt.toISOString(),
    updatedAt: relay.updatedAt.toISOString(),
  };
  const holder = family === 'FIT' ? { kana: 'generatorNameKana', name: 'generatorName' } : { kana: 'customerNameKana', name: 'customerName' };
  const optional: [string, string | null][] = [
    ['contractNumber', relay.contractNumber],
    [holder.kana, relay.holderNameKana],
    [holder.name, relay.holderName],
    ['terminationDate', relay.terminationDate],
    ['decidingPersonName', relay.decidingPersonName],
    ['ngReason', relay.ngReason],
    ['ngText', relay.ngText],
  ];
  for (const [key, value] of optional) if (value !== null && value !== '') item[key] = value;
  if (relay.address) item.address = { ...relay.address };
  return item;
}

export async function answerRelayInterface(deps: RelayDeps, call: RelayCall, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  const { actor } = call;
  const family = def.family;
  try {
    switch (def.id.replace(/^IS_[KF]?/, '')) {
      case '20110': {
        if (typeof body.supplyPointId === 'string') call.audit.supplyPointIds = [body.supplyPointId];
        const [answer] = await fileRelays(deps, actor, [{ interfaceId: def.id, family, body }]);
        return answer!;
      }
      case '20410':
        return await decideRelay(deps, actor, { interfaceId: def.id, family, body });
      case '20210':
      case '20310': {
        const side = def.id.endsWith('20210') ? 'new' : 'old';
        const page = await listRelays(deps, actor, side, family, relayFilterOf(body, side), Number(body.page ?? 1));
        call.audit.supplyPointIds = [...new Set(page.items.map((r) => r.supplyPointId))];
        return {
          result: 'OK',
          messages: [],
          data: { total: page.total, page: page.page, pageSize: page.pageSize, relays: page.items.map((r) => relayItem(r, family)) },
        };
      }
      default:
        return { result: 'NG', messages: [new Refusal('IF_NOT_OFFERED', { params: { interfaceId: def.id } }).toDetail()] };
    }
  } catch (error) {
    if (error instanceof Refusal) return { result: 'NG', messages: [error.toDetail()] };
    throw error;
  }
}
