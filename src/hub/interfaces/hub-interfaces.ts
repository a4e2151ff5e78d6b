/**
 * Interfaces the hub answers itself (direction `hub`) that belong to no module of their own: the
 * participant list (IS_30110). The relay (hub/relay) and the pull mailbox (hub/notifications)
 * answer theirs in their modules (call.ts routes to them).
 */
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import { isAreaCode } from '../../domain/area.ts';
import { Refusal } from '../../domain/refusal.ts';
import { listParticipants } from '../identity/participant.commands.ts';
import { isParticipantKind } from '../identity/participant.ts';
import type { HubDeps } from '../http/hub-deps.ts';

export async function answerAtHub(deps: HubDeps, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  switch (def.id) {
    case 'IS_30110':
      return participantList(deps, body);
    default:
      return { result: 'NG', messages: [new Refusal('IF_NOT_OFFERED', { params: { interfaceId: def.id } }).toDetail()] };
  }
}

async function participantList({ db }: HubDeps, body: FieldValues): Promise<InterfaceResponse> {
  const kind = typeof body.kind === 'string' && isParticipantKind(body.kind) ? body.kind : undefined;
  const status = body.status === 'active' || body.status === 'suspended' ? body.status : undefined;
  const area = typeof body.area === 'string' && isAreaCode(body.area) ? body.area : undefined;
  const text = typeof body.text === 'string' ? body.text : undefined;
  const page = await listParticipants(
    db,
    { ...(kind ? { kind } : {}), ...(status ? { status } : {}), ...(area ? { area } : {}), ...(text ? { text } : {}) },
    { page: Number(body.page ?? 1), size: Number(body.pageSize ?? 20) },
  );
  return {
    result: 'OK',
    messages: [],
    data: {
      total: page.total,
      page: page.page,
      pageSize: page.size,
      participants: page.items.map((p) => ({ companyCode: p.companyCode, participantCodes: p.participantCodes, name: p.name, kind: p.kind, status: p.status })),
    },
  };
}
