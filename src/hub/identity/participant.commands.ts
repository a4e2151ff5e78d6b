/**
 * Admitting participants and listing them (事業者一覧). Suspension and resumption are in
 * suspension.commands.ts (`setParticipantStatus`), with the certificates' and users'.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { authorize, type Actor } from '../policy.ts';
import { pageBounds, type Page, type PageRequest } from './page.ts';
import { checkNewParticipant, normalizeCompanyCode, type NewParticipant, type Participant } from './participant.ts';
import { insertParticipant, selectParticipant, selectParticipants, type ParticipantFilter } from './participant.repository.ts';
import { inTransaction } from './transaction.ts';

/** Registers a participant with its areas; refuses a company code that is already registered. */
export async function createParticipant(q: Db | Queryable, clock: Clock, actor: Actor, input: NewParticipant): Promise<Participant> {
  authorize(actor, 'participant.manage');
  const p = checkNewParticipant(input);
  return inTransaction(q, async (tx) => {
    const created = await insertParticipant(tx, { ...p, at: clock.now(), by: actor.user?.userId ?? actor.participant.companyCode });
    if (!created) throw new Refusal('AUTH_PARTICIPANT_EXISTS', { field: 'companyCode', params: { companyCode: p.companyCode } });
    return (await selectParticipant(tx, p.companyCode))!;
  });
}

/** The participant with this company code, or null (also for a code of the wrong shape). */
export async function getParticipant(q: Queryable, companyCode: string): Promise<Participant | null> {
  let code: string;
  try {
    code = normalizeCompanyCode(companyCode);
  } catch {
    return null;
  }
  return selectParticipant(q, code);
}

/**
 * 事業者一覧: code, name, kind, areas and status of every participant, in company code order.
 * Every participant may see it (policy `participant.list`), so it takes no actor.
 */
export async function listParticipants(q: Queryable, filter: ParticipantFilter = {}, page: PageRequest = {}): Promise<Page<Participant>> {
  const bounds = pageBounds(page);
  const { items, total } = await selectParticipants(q, filter, bounds.limit, bounds.offset);
  return { items, total, page: bounds.page, size: bounds.size };
}

export type { ParticipantFilter };
