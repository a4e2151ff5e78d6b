/**
 * The relay's commands: register (one, or a whole CSV file), modify, cancel, decide, list and
 * look at one; and the hub operator's view of waits and fetches.
 *
 * Every command:
 * - asks the policy (policy.ts) with the relay's two retailers; a retailer that is neither is told
 *   RELAY_NOT_FOUND, never that the relay exists;
 * - is idempotent by (company, request ID): the same request sent again gets the first answer and
 *   changes nothing; the same request ID with other content is refused (RELAY_REQUEST_ID_REUSED);
 * - writes the relay, its event, the stored answer and the notification in one transaction;
 * - serialises on the relay's row (SELECT … FOR UPDATE), so of two decisions at the same moment
 *   exactly one wins and the other is told RELAY_ALREADY_DECIDED.
 */
import { createHash } from 'node:crypto';
import { areaByDigit, isAreaCode } from '../../domain/area.ts';
import { isRelayNgReasonCode, isRelayStatusCode, relayNgReasons, relayStatuses, type RelayDecisionCode, type RelayStatusCode } from '../../domain/codes.ts';
import { tokyoDate, type IsoDate } from '../../domain/date.ts';
import { normalizeKana } from '../../domain/kana.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import type { InterfaceFamily } from '../../interfaces/catalogue/types.ts';
import type { InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Queryable } from '../../platform/db/db.ts';
import { notify, notifyAll } from '../notifications/notify.ts';
import { can, type Actor } from '../policy.ts';
import { AWAITING, formatRelayNumber, maxRelaySerialPerDay, transition, type RelayAddress, type RelayCommand, type RelayDetails } from './relay.ts';
import {
  insertRelays,
  insertRequests,
  recordFetch,
  reserveRelaySerials,
  selectOpenRelays,
  selectParticipantCodes,
  selectRelay,
  selectRelayEvents,
  selectRelayPage,
  selectRequests,
  updateRelay,
  type NewRelayRow,
  type RelayEventRow,
  type RelayFilter,
  type RelayView,
  type StoredRequest,
} from './relay.repository.ts';

export interface RelayDeps {
  readonly db: Db;
  readonly clock: Clock;
}

/** Rows of one page of a relay list (slides 24–25). */
export const relayPageSize = 20;

/** A validated request of IS_20110 (or its K/F variant). */
export interface RelayFiling {
  readonly interfaceId: string;
  readonly family: InterfaceFamily;
  readonly body: FieldValues;
  /** Its row in a CSV file (the header is row 1), for the report's words; absent for one request. */
  readonly row?: number;
}

function refusal(code: MessageCode, options: { field?: string; params?: Record<string, string | number> } = {}): ReceptionMessage {
  return new Refusal(code, options).toDetail();
}

function ng(...messages: ReceptionMessage[]): InterfaceResponse {
  return { result: 'NG', messages };
}

const str = (v: FieldValues[string] | undefined): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** The customer's (or, for FIT, the generator's) names of a request, whichever family. */
function holderOf(body: FieldValues): { kana: string | null; name: string | null } {
  return { kana: str(body.customerNameKana) ?? str(body.generatorNameKana), name: str(body.customerName) ?? str(body.generatorName) };
}

function detailsOf(body: FieldValues): RelayDetails {
  const holder = holderOf(body);
  return {
    supplyPointId: str(body.supplyPointId) ?? '',
    contractNumber: str(body.contractNumber),
    address: typeof body.address === 'object' && body.address !== null && !Array.isArray(body.address) ? (body.address as unknown as RelayAddress) : null,
    holderNameKana: holder.kana,
    holderName: holder.name,
    terminationDate: str(body.terminationDate) as IsoDate | null,
    oldParticipantCode: str(body.oldRetailerCode) ?? '',
    phoneNumber: str(body.phoneNumber),
    remarks: str(body.remarks),
  };
}

function digestOf(interfaceId: string, body: FieldValues): string {
  return createHash('sha256').update(interfaceId).update('\0').update(JSON.stringify(body)).digest('base64url');
}

function statusData(relayNumber: string, status: RelayStatusCode, at: { registeredAt?: Date; decidedAt?: Date }): FieldValues {
  const data: Record<string, string> = { relayNumber, status, statusName: relayStatuses[status] };
  if (at.registeredAt) data.registeredAt = at.registeredAt.toISOString();
  if (at.decidedAt) data.decidedAt = at.decidedAt.toISOString();
  return data;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/**
 * Runs `fn` in a transaction, once more if a concurrent writer got in first (a unique index said
 * so: a relay for the same point, or the same request ID, committed in between): the second run
 * sees the other's row and answers accordingly.
 */
async function withRetry<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(fn);
    } catch (error) {
      if (isUniqueViolation(error) && attempt < 3) continue;
      throw error;
    }
  }
}

// ---- register, modify, cancel (IS_20110) ---------------------------------------------------------

/**
 * Files relay requests (update flag 1 register, 2 modify, 3 cancel) for the actor, the new retailer,
 * and answers each. With `wholeOrNothing` (a CSV file), if any is refused none is written; with
 * `checkOnly`, none is written at all (the answers say what filing would answer).
 */
export async function fileRelays(
  deps: RelayDeps,
  actor: Actor,
  filings: readonly RelayFiling[],
  options: { wholeOrNothing?: boolean; checkOnly?: boolean } = {},
): Promise<InterfaceResponse[]> {
  try {
    return await withRetry(deps.db, async (tx) => {
      const answers = await fileInTransaction(tx, deps.clock.now(), actor, filings);
      if (options.checkOnly || (options.wholeOrNothing && answers.some((a) => a.result === 'NG'))) throw new RolledBack(answers);
      return answers;
    });
  } catch (error) {
    if (error instanceof RolledBack) return error.answers;
    throw error;
  }
}

/** Thrown out of a transaction to undo it while keeping the answers it found. */
class RolledBack extends Error {
  readonly answers: InterfaceResponse[];
  constructor(answers: InterfaceResponse[]) {
    super('rolled back');
    this.answers = answers;
  }
}

async function fileInTransaction(tx: Queryable, at: Date, actor: Actor, filings: readonly RelayFiling[]): Promise<InterfaceResponse[]> {
  const companyCode = actor.participant.companyCode;
  const userId = actor.user?.userId ?? null;
  const answers: (InterfaceResponse | undefined)[] = new Array(filings.length);
  const digests = filings.map((f) => digestOf(f.interfaceId, f.body));
  const stored = await selectRequests(
    tx,
    companyCode,
    filings.map((f) => String(f.body.requestId)),
  );
  filings.forEach((f, i) => {
    const earlier = stored.get(String(f.body.requestId));
    if (!earlier) return;
    answers[i] =
      earlier.bodyDigest === digests[i]
        ? (earlier.answer as InterfaceResponse)
        : ng(refusal('RELAY_REQUEST_ID_REUSED', { field: 'requestId', params: { requestId: String(f.body.requestId) } }));
  });

  // Registrations: every check first, then all written at once.
  const registrations = filings.flatMap((f, i) => (answers[i] === undefined && String(f.body.updateFlag) === '1' ? [i] : []));
  const rows = await checkRegistrations(
    tx,
    at,
    actor,
    registrations.map((i) => filings[i]!),
  );
  registrations.forEach((index, k) => {
    const checked = rows[k]!;
    if (!checked.ok) answers[index] = ng(...checked.messages);
  });
  const accepted = registrations.filter((i) => answers[i] === undefined);
  if (accepted.length > 0) {
    const day = tokyoDate(at);
    const first = await reserveRelaySerials(tx, day, accepted.length);
    if (first + accepted.length - 1 > maxRelaySerialPerDay) throw new Refusal('RELAY_NUMBERS_EXHAUSTED');
    const checkedOf = new Map(registrations.map((index, k) => [index, rows[k]!]));
    const newRows: NewRelayRow[] = accepted.map((index, k) => {
      const checked = checkedOf.get(index)!;
      if (!checked.ok) throw new Error('unreachable: a refused registration was accepted');
      return { ...checked.row, relayNumber: formatRelayNumber(day, first + k) };
    });
    await insertRelays(tx, newRows, userId);
    newRows.forEach((row, k) => {
      answers[accepted[k]!] = {
        result: 'OK',
        messages: [refusal('RELAY_REGISTERED', { params: { relayNumber: row.relayNumber } })],
        data: statusData(row.relayNumber, AWAITING, { registeredAt: at }),
      };
    });
    const newName = await participantName(tx, companyCode);
    await notifyAll(
      tx,
      at,
      newRows.map((row) => awaitingDecisionNotice(row, newName)),
    );
  }

  // Modifications and cancellations, one relay at a time.
  for (let i = 0; i < filings.length; i++) {
    if (answers[i] !== undefined) continue;
    answers[i] = await changeRelay(tx, at, actor, filings[i]!, userId);
  }

  const toStore: StoredRequest[] = [];
  filings.forEach((f, i) => {
    const answer = answers[i]!;
    if (answer.result === 'OK' && !stored.has(String(f.body.requestId))) {
      toStore.push({ requestId: String(f.body.requestId), interfaceId: f.interfaceId, bodyDigest: digests[i]!, answer });
    }
  });
  await insertRequests(tx, companyCode, at, toStore);
  return answers as InterfaceResponse[];
}

type CheckedRegistration = { ok: true; row: Omit<NewRelayRow, 'relayNumber'> } | { ok: false; messages: ReceptionMessage[] };

async function checkRegistrations(tx: Queryable, at: Date, actor: Actor, filings: readonly RelayFiling[]): Promise<CheckedRegistration[]> {
  if (filings.length === 0) return [];
  const companyCode = actor.participant.companyCode;
  const today = tokyoDate(at);
  const details = filings.map((f) => detailsOf(f.body));
  const oldCodes = await selectParticipantCodes(tx, [...new Set(details.map((d) => d.oldParticipantCode))]);
  const open = await selectOpenRelays(tx, [...new Set(details.map((d) => d.supplyPointId))]);
  const firstRowOf = new Map<string, number>();
  return details.map((d, i) => {
    const messages: ReceptionMessage[] = [];
    const area = d.supplyPointId.slice(0, 2);
    const areaName = isAreaCode(area) ? (areaByDigit(area.slice(1))?.name ?? area) : area;
    if (!isAreaCode(area) || !can(actor, 'relay.register', { area })) {
      messages.push(
        actor.participant.kind === 'retailer'
          ? refusal('IF_AREA_NOT_REGISTERED', { field: 'supplyPointId', params: { area: areaName } })
          : refusal('AUTH_FORBIDDEN'),
      );
    }
    const old = oldCodes.get(d.oldParticipantCode);
    const code = { participantCode: d.oldParticipantCode };
    if (old?.kind !== 'retailer') messages.push(refusal('RELAY_OLD_RETAILER_UNKNOWN', { field: 'oldRetailerCode', params: code }));
    else if (old.companyCode === companyCode) messages.push(refusal('RELAY_OLD_RETAILER_IS_SELF', { field: 'oldRetailerCode' }));
    else if (old.area !== area) messages.push(refusal('RELAY_OLD_RETAILER_NOT_IN_AREA', { field: 'oldRetailerCode', params: { ...code, area: areaName } }));
    else if (old.status !== 'active') messages.push(refusal('RELAY_OLD_RETAILER_SUSPENDED', { field: 'oldRetailerCode', params: code }));
    if (d.terminationDate && d.terminationDate < today) {
      messages.push(refusal('RELAY_TERMINATION_DATE_PAST', { field: 'terminationDate', params: { date: d.terminationDate, today } }));
    }
    const openRelay = open.get(d.supplyPointId);
    if (openRelay) messages.push(refusal('RELAY_OPEN_EXISTS', { field: 'supplyPointId', params: { supplyPointId: d.supplyPointId, relayNumber: openRelay } }));
    const earlier = firstRowOf.get(d.supplyPointId);
    if (earlier !== undefined)
      messages.push(
        refusal('BULK_DUPLICATE_SUPPLY_POINT', {
          field: 'supplyPointId',
          params: { supplyPointId: d.supplyPointId, row: filings[earlier]!.row ?? earlier + 1 },
        }),
      );
    else firstRowOf.set(d.supplyPointId, i);
    if (messages.length > 0 || !old) return { ok: false, messages };
    return {
      ok: true,
      row: {
        ...d,
        family: filings[i]!.family,
        area,
        newCompanyCode: companyCode,
        newParticipantCode: `${companyCode}${area.slice(1)}`,
        oldCompanyCode: old.companyCode,
        holderKanaKey: d.holderNameKana ? normalizeKana(d.holderNameKana) : '',
        registeredAt: at,
        registeredOn: tokyoDate(at),
      },
    };
  });
}

/** A relay the actor may see, locked for the rest of the transaction, or the refusal to give. */
async function relayFor(tx: Queryable, actor: Actor, relayNumber: string, family: InterfaceFamily): Promise<RelayView> {
  const relay = await selectRelay(tx, relayNumber, { forUpdate: true });
  if (!relay || !can(actor, 'relay.view', relay)) throw new Refusal('RELAY_NOT_FOUND', { field: 'relayNumber', params: { relayNumber } });
  if (relay.family !== family) throw new Refusal('RELAY_FAMILY_MISMATCH', { field: 'relayNumber', params: { relayNumber, family: familyNames[relay.family] } });
  return relay;
}

const familyNames: Readonly<Record<InterfaceFamily, string>> = { LV: '低圧', HV: '高圧', FIT: '低圧FIT' };

async function changeRelay(tx: Queryable, at: Date, actor: Actor, filing: RelayFiling, userId: string | null): Promise<InterfaceResponse> {
  const relayNumber = String(filing.body.relayNumber);
  try {
    const relay = await relayFor(tx, actor, relayNumber, filing.family);
    if (!can(actor, 'relay.modify', relay)) throw new Refusal('RELAY_NOT_REGISTRANT', { field: 'relayNumber', params: { relayNumber } });
    let command: RelayCommand;
    if (String(filing.body.updateFlag) === '3') command = { kind: 'cancel' };
    else {
      const details = detailsOf(filing.body);
      if (details.supplyPointId !== relay.supplyPointId || details.oldParticipantCode !== relay.oldParticipantCode) throw new Refusal('RELAY_POINT_CHANGED');
      if (details.terminationDate && details.terminationDate < tokyoDate(at) && details.terminationDate !== relay.terminationDate) {
        throw new Refusal('RELAY_TERMINATION_DATE_PAST', { field: 'terminationDate', params: { date: details.terminationDate, today: tokyoDate(at) } });
      }
      command = { kind: 'modify', details };
    }
    const next = transition(relay, command, at);
    const kanaKey = command.kind === 'modify' ? { holderKanaKey: command.details.holderNameKana ? normalizeKana(command.details.holderNameKana) : '' } : {};
    await updateRelay(tx, relayNumber, next.changes, {
      name: next.event,
      status: next.status,
      companyCode: actor.participant.companyCode,
      userId,
      at,
      ...kanaKey,
    });
    return { result: 'OK', messages: [], data: statusData(relayNumber, next.status, { registeredAt: relay.registeredAt }) };
  } catch (error) {
    if (error instanceof Refusal) return ng(error.toDetail());
    throw error;
  }
}

// ---- decide (IS_20410) ---------------------------------------------------------------------------

export interface DecisionFiling {
  readonly interfaceId: string;
  readonly family: InterfaceFamily;
  readonly body: FieldValues;
}

/** The old retailer's decision on a relay awaiting it: OK, or NG with a reason. */
export async function decideRelay(deps: RelayDeps, actor: Actor, filing: DecisionFiling): Promise<InterfaceResponse> {
  return withRetry(deps.db, async (tx) => {
    const at = deps.clock.now();
    const companyCode = actor.participant.companyCode;
    const requestId = String(filing.body.requestId);
    const digest = digestOf(filing.interfaceId, filing.body);
    const earlier = (await selectRequests(tx, companyCode, [requestId])).get(requestId);
    if (earlier) {
      return earlier.bodyDigest === digest
        ? (earlier.answer as InterfaceResponse)
        : ng(refusal('RELAY_REQUEST_ID_REUSED', { field: 'requestId', params: { requestId } }));
    }
    const relayNumber = String(filing.body.relayNumber);
    let answer: InterfaceResponse;
    try {
      const relay = await relayFor(tx, actor, relayNumber, filing.family);
      if (!can(actor, 'relay.decide', relay)) throw new Refusal('RELAY_NOT_ADDRESSED', { field: 'relayNumber', params: { relayNumber } });
      const ngReason = str(filing.body.ngReason);
      const next = transition(
        relay,
        {
          kind: 'decide',
          decision: {
            decision: String(filing.body.decision) as RelayDecisionCode,
            decidingPersonName: String(filing.body.decidingPersonName),
            ngReason: ngReason && isRelayNgReasonCode(ngReason) ? ngReason : null,
            ngText: str(filing.body.ngText),
          },
        },
        at,
      );
      await updateRelay(tx, relayNumber, next.changes, { name: next.event, status: next.status, companyCode, userId: actor.user?.userId ?? null, at });
      await notify(tx, at, decidedNotice({ ...relay, ...next.changes, status: next.status } as RelayView));
      answer = {
        result: 'OK',
        messages: [refusal('RELAY_DECIDED', { params: { relayNumber, status: relayStatuses[next.status] } })],
        data: statusData(relayNumber, next.status, { decidedAt: at }),
      };
    } catch (error) {
      if (error instanceof Refusal) return ng(error.toDetail());
      throw error;
    }
    await insertRequests(tx, companyCode, at, [{ requestId, interfaceId: filing.interfaceId, bodyDigest: digest, answer }]);
    return answer;
  });
}

// ---- notifications -------------------------------------------------------------------------------

async function participantName(q: Queryable, companyCode: string): Promise<string> {
  const { rows } = await q.query<{ name: string }>('SELECT name FROM hub.participant WHERE company_code = $1', [companyCode]);
  return rows[0]?.name ?? companyCode;
}

/**
 * E-mails carry the relay number, the supply point and dates, never the customer's name or
 * address: those are read in the hub, where every read is recorded.
 */
function awaitingDecisionNotice(row: Omit<NewRelayRow, 'relayNumber'> & { relayNumber: string }, newRetailerName: string) {
  return {
    companyCode: row.oldCompanyCode,
    kind: 'relayAwaitingDecision' as const,
    subject: `【スイッチング支援システム】廃止取次の判断依頼（${row.relayNumber}）`,
    text:
      `新小売電気事業者 ${newRetailerName}（${row.newParticipantCode}）から、貴社あての廃止取次が登録されました。\n` +
      `廃止取次番号: ${row.relayNumber}\n供給地点特定番号: ${row.supplyPointId}\n廃止年月日: ${row.terminationDate ?? '（指定なし）'}\n` +
      `スイッチング支援システムで内容を確認し、判断（OK／NG）してください。`,
    refs: { relayNumber: row.relayNumber, supplyPointId: row.supplyPointId },
  };
}

function decidedNotice(relay: RelayView) {
  const result = relay.status === '02' ? 'OK' : 'NG';
  const reason =
    relay.status === '03' && relay.ngReason ? `NG理由: ${relay.ngReason} ${relayNgReasons[relay.ngReason]}${relay.ngText ? `（${relay.ngText}）` : ''}\n` : '';
  const next =
    relay.status === '02'
      ? '一般送配電事業者のシステムで「スイッチング開始申込」を行ってください。'
      : '内容を確認のうえ、必要であれば新たに廃止取次を登録してください。';
  return {
    companyCode: relay.newCompanyCode,
    kind: 'relayDecided' as const,
    subject: `【スイッチング支援システム】廃止取次の判断結果（${relay.relayNumber}: ${result}）`,
    text:
      `現小売電気事業者 ${relay.oldRetailerName}（${relay.oldParticipantCode}）が廃止取次を「${relayStatuses[relay.status]}」と判断しました。\n` +
      `廃止取次番号: ${relay.relayNumber}\n供給地点特定番号: ${relay.supplyPointId}\n判断者: ${relay.decidingPersonName ?? ''}\n${reason}${next}`,
    refs: { relayNumber: relay.relayNumber, supplyPointId: relay.supplyPointId },
  };
}

// ---- lists and details (IS_20210, IS_20310, screens) ---------------------------------------------

export interface RelayPage {
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly items: readonly RelayView[];
}

/** A name typed in kana (any width, hiragana or katakana) is looked for in the kana names; any other in the kanji names. */
function holderFilterOf(name: string): { holderKanaKey: string } | { holderName: string } {
  const key = normalizeKana(name);
  return /^[\u30a1-\u30fcー]+$/.test(key) ? { holderKanaKey: key } : { holderName: name };
}

/** The list filters as a request or a search form gives them (slides 24–25). */
export function relayFilterOf(values: Readonly<Record<string, unknown>>, side: 'new' | 'old'): RelayFilter {
  const other = side === 'new' ? 'old' : 'new';
  const text = (key: string) => {
    const v = values[key];
    return typeof v === 'string' && v.trim() !== '' ? v.normalize('NFKC').trim() : undefined;
  };
  const name = text('customerName') ?? text('generatorName');
  const status = text('status');
  const code = text(`${other}RetailerCode`)?.toUpperCase();
  return {
    ...(text('relayNumber') ? { relayNumber: text('relayNumber')!.toUpperCase() } : {}),
    ...(text('supplyPointId') ? { supplyPointId: text('supplyPointId')! } : {}),
    ...(code ? { otherRetailerCode: code } : {}),
    ...(text(`${other}RetailerName`) ? { otherRetailerName: text(`${other}RetailerName`)! } : {}),
    ...(name ? holderFilterOf(name) : {}),
    ...(status && isRelayStatusCode(status) ? { status } : {}),
    ...(text('registeredFrom') ? { registeredFrom: text('registeredFrom') as IsoDate } : {}),
    ...(text('registeredUntil') ? { registeredUntil: text('registeredUntil') as IsoDate } : {}),
  };
}

/**
 * One page of the actor's relays on one side: `new`, those it registered (IS_20210, the result
 * list); `old`, those addressed to it (IS_20310, the received list, which counts as a fetch).
 */
export async function listRelays(
  deps: RelayDeps,
  actor: Actor,
  side: 'new' | 'old',
  family: InterfaceFamily,
  filter: RelayFilter,
  page = 1,
): Promise<RelayPage> {
  if (!can(actor, 'relay.list')) throw new Refusal('AUTH_FORBIDDEN');
  const companyCode = actor.participant.companyCode;
  const current = Math.max(1, Math.floor(page));
  const { items, total } = await selectRelayPage(deps.db, side, companyCode, family, filter, relayPageSize, (current - 1) * relayPageSize);
  if (side === 'old') await recordFetch(deps.db, companyCode, deps.clock.now());
  return { total, page: current, pageSize: relayPageSize, items };
}

export interface RelayDetail {
  readonly relay: RelayView;
  readonly events: readonly RelayEventRow[];
}

/** One relay with its history, for either of its retailers; RELAY_NOT_FOUND for anyone else. */
export async function getRelay(deps: RelayDeps, actor: Actor, relayNumber: string): Promise<RelayDetail> {
  const relay = await selectRelay(deps.db, relayNumber.normalize('NFKC').trim().toUpperCase());
  if (!relay || !can(actor, 'relay.view', relay)) throw new Refusal('RELAY_NOT_FOUND', { params: { relayNumber } });
  if (relay.oldCompanyCode === actor.participant.companyCode) await recordFetch(deps.db, relay.oldCompanyCode, deps.clock.now());
  return { relay, events: await selectRelayEvents(deps.db, relay.relayNumber) };
}
