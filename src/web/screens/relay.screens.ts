/**
 * The switching termination relay screens (スイッチング廃止取次, slides 22–25), for both retailers of
 * a relay. The new retailer (新小売) registers, follows, modifies and cancels its relays, one at a
 * time or from a CSV file; the old retailer (現小売) lists what it received and decides OK / NG.
 *
 * Every screen that does what an interface does calls `callInterface` (IS_20110, IS_20210, IS_20310,
 * IS_20410 and their K / F variants) with the signed-in user as the actor, so it refuses with the
 * API's codes and writes the API's audit record (the interface ID as the action, the supply points
 * shown). The forms are the catalogue-driven ones of web/interface-form.ts. A third retailer is told
 * RELAY_NOT_FOUND, never that the relay exists.
 *
 *   GET  /relays?family=lv&…filters…&page=      新小売: the relays it registered (IS_20210), 20 a page
 *   GET  /relays/new?family=lv                  register form (IS_20110, update flag 1)
 *   POST /relays/new?family=lv
 *   GET  /relays/upload?family=lv               CSV upload (multipart/form-data) and its row report
 *   POST /relays/upload?family=lv
 *   GET  /relays/template.csv?family=lv         the CSV's header line (UTF-8 with BOM, for Excel)
 *   GET  /relays/{number}                       detail with history; modify / cancel while awaiting
 *   GET  /relays/{number}/modify                modify form, prefilled (update flag 2)
 *   POST /relays/{number}/modify
 *   GET  /relays/{number}/cancel                confirmation (update flag 3)
 *   POST /relays/{number}/cancel
 *   GET  /relays/received?family=lv&…           現小売: the relays addressed to it (IS_20310)
 *   GET  /relays/received/{number}              detail with the customer's data and the decision form
 *   POST /relays/received/{number}              the decision (IS_20410)
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { relayNgReasons, relayStatuses, type RelayNgReasonCode, type RelayStatusCode } from '../../domain/codes.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { actorWithAreas } from '../../hub/applications/application-interfaces.ts';
import { listParticipants } from '../../hub/identity/participant.commands.ts';
import { areaOf, type AreaCode } from '../../domain/area.ts';
import { bulkMaxBytes, fileBulkCsv, type BulkReport } from '../../hub/bulk/bulk.ts';
import { callerOf, sessionOf } from '../../hub/http/context.ts';
import { answerChecked, type InterfaceDeps } from '../../hub/interfaces/call.ts';
import { getRelay, type RelayDetail } from '../../hub/relay/relay.commands.ts';
import { countAwaitingDecisionByFamily, type RelayEventRow, type RelayView } from '../../hub/relay/relay.queries.ts';
import { addressLine } from '../../hub/relay/relay.ts';
import { interfaceById, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import { ifId } from '../../interfaces/catalogue/fields.ts';
import type { Field, InterfaceFamily } from '../../interfaces/catalogue/types.ts';
import type { InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import { validateRequest } from '../../interfaces/validate.ts';
import { csrfField, formOf, pager, queryOf, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { formFromValues, inputId, renderFields, renderMessages, requestFromForm } from '../interface-form.ts';
import { jst } from '../labels.ts';
import { page } from '../layout.ts';
import { familyLabels, familyOfSlug, familySlugs, interfaceCall, isFamilySlug, sendHtml, type FamilySlug } from './area.screens.ts';
import { signedIn } from './page-user.ts';

type Side = 'new' | 'old';

const slugOfFamily: Readonly<Record<InterfaceFamily, FamilySlug>> = { LV: 'lv', HV: 'hv', FIT: 'fit' };

const sideTitles: Readonly<Record<Side, string>> = { new: '廃止取次一覧（新小売）', old: '廃止取次受領一覧（現小売）' };
const sideBases: Readonly<Record<Side, string>> = { new: '/relays', old: '/relays/received' };

const eventLabels: Readonly<Record<RelayEventRow['event'], string>> = {
  registered: '登録',
  modified: '修正',
  cancelled: '取消',
  decidedOk: '判断（OK）',
  decidedNg: '判断（NG）',
};

/** The relay interface of a family: `20110` register, `20210` results, `20310` received, `20410` decision. */
function relayDef(family: InterfaceFamily, number: '20110' | '20210' | '20310' | '20410'): InterfaceDefinition {
  const def = interfaceById(ifId(family, number, 'IS'));
  if (!def) throw new Error(`the catalogue has no IS_${number} for ${family}`);
  return def;
}

function slugOf(query: FormFields): FamilySlug {
  const family = query.family ?? '';
  return isFamilySlug(family) ? family : 'lv';
}

/** A request ID for one showing of a form: a form sent twice files once (the relay's idempotency). */
function newRequestId(): string {
  return `web-${randomUUID()}`;
}

/** HTTP status of a refused call: not found, forbidden, or a refused input. */
function statusOf(messages: readonly ReceptionMessage[]): number {
  const code = messages[0]?.code;
  if (code === 'RELAY_NOT_FOUND') return 404;
  if (code === 'AUTH_FORBIDDEN' || code === 'IF_AREA_NOT_REGISTERED' || code === 'RELAY_NOT_ADDRESSED' || code === 'RELAY_NOT_REGISTRANT') return 403;
  if (code === 'RELAY_NOT_AWAITING' || code === 'RELAY_ALREADY_DECIDED') return 409;
  return 400;
}

function refusalLine(m: ReceptionMessage | Refusal): Html {
  return html`<p class="refusal" role="alert"><span class="code">${m.code}</span> ${m.text}</p>`;
}

/** トップ › 廃止取次一覧（新小売） › … */
function crumbs(...parts: (Html | string)[]): Html {
  const all: (Html | string)[] = [html`<a href="/">トップ</a>`, ...parts];
  return html`<nav class="crumbs" aria-label="現在の位置">${all.map((p, i) => html`${i > 0 ? html`<span class="sep">›</span>` : null}${p}`)}</nav>`;
}

/** The two sides and the three families, as tabs above the lists; `waiting`: relays awaiting a decision per family (the old side's). */
function sideTabs(side: Side, slug: FamilySlug, waiting?: Readonly<Record<InterfaceFamily, number>>): Html {
  const tab = (s: Side) =>
    html`<a href="${sideBases[s]}?family=${slug}"${s === side ? html` aria-current="page"` : null}>${s === 'new' ? '新小売（登録した廃止取次）' : '現小売（受領した廃止取次）'}</a>`;
  const family = (f: FamilySlug) => {
    const n = waiting?.[familyOfSlug[f]] ?? 0;
    return html`<a href="${sideBases[side]}?family=${f}"${f === slug ? html` aria-current="page"` : null}>${familyLabels[f]}${n > 0 ? html` <span class="relay-badge small" title="判断待ち">${n}</span>` : null}</a>`;
  };
  return html`<div class="relay-tabs"><nav class="tabs" aria-label="新小売・現小売">${tab('new')}${tab('old')}</nav>
    <nav class="tabs family" aria-label="託送区分">${familySlugs.map(family)}</nav></div>`;
}

function statusBadge(status: string): Html {
  const label = status in relayStatuses ? relayStatuses[status as RelayStatusCode] : status;
  return html`<span class="relay-status s${status}" data-status="${status}">${label}</span>`;
}

function refusedPage(request: FastifyRequest, title: string, refusal: Refusal | ReceptionMessage, back: Html): Html {
  return page(signedIn(request, title), html`${crumbs(title)}${refusalLine(refusal)}<p class="actions">${back}</p>`);
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

// ---- routes --------------------------------------------------------------------------------------

export function registerRelayScreens(app: FastifyInstance, deps: InterfaceDeps): void {
  app.get('/relays', { config: { action: 'relayList' } }, (request, reply) => listScreen(deps, request, reply, 'new'));
  app.get('/relays/received', { config: { action: 'relayReceivedList' } }, (request, reply) => listScreen(deps, request, reply, 'old'));

  app.get('/relays/new', { config: { action: 'relayRegister' } }, async (request, reply) => {
    const query = queryOf(request);
    const def = relayDef(familyOfSlug[slugOf(query)], '20110');
    const values: FormFields = { requestId: newRequestId(), updateFlag: '1' };
    if (query.supplyPointId) values.supplyPointId = query.supplyPointId;
    return sendHtml(reply, registerPage(request, def, values, [], await retailerCodes(deps, request)));
  });

  app.post('/relays/new', { config: { action: 'relayRegister' } }, async (request, reply) => {
    const def = relayDef(familyOfSlug[slugOf(queryOf(request))], '20110');
    const form = formOf(request);
    const answer = await submit(deps, request, def, { ...requestFromForm(def.request, form), updateFlag: '1' });
    if (answer.result === 'OK') return reply.redirect(`/relays/${encodeURIComponent(textOf(answer.data?.relayNumber))}?done=registered`, 303);
    const { _csrf: _token, ...values } = form;
    return sendHtml(
      reply,
      registerPage(request, def, { ...values, updateFlag: '1' }, answer.messages, await retailerCodes(deps, request)),
      statusOf(answer.messages),
    );
  });

  app.get('/relays/template.csv', { config: { action: 'relayCsvTemplate' } }, async (request, reply) => {
    const def = relayDef(familyOfSlug[slugOf(queryOf(request))], '20110');
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${def.id}.csv"`)
      .send(`\ufeff${csvHeader(def).join(',')}\r\n`);
  });

  app.get('/relays/upload', { config: { action: 'relayUpload' } }, async (request, reply) => {
    const slug = slugOf(queryOf(request));
    return sendHtml(reply, uploadPage(request, slug, undefined));
  });

  // The file comes as multipart/form-data (an <input type=file>, no script): parsed here only.
  app.register(async (scoped) => {
    scoped.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: bulkMaxBytes + 1024 * 1024 },
      async (request: FastifyRequest, body: Buffer) => parseMultipart(String(request.headers['content-type'] ?? ''), body),
    );
    scoped.post('/relays/upload', { config: { action: 'relayUpload' } }, async (request, reply) => {
      const slug = slugOf(queryOf(request));
      const def = relayDef(familyOfSlug[slug], '20110');
      request.audit.action = `bulk:${def.id}`;
      const file = (request.body as { file?: unknown } | undefined)?.file;
      const bytes = file instanceof Uint8Array ? file : new Uint8Array();
      const report = await fileBulkCsv(deps, actorWithAreas(sessionOf(request).actor, callerOf(request)), def, bytes);
      request.audit.supplyPointIds = [...new Set(report.data.rows.flatMap((r) => (r.supplyPointId ? [r.supplyPointId] : [])))];
      if (report.result === 'NG') request.audit.result = report.messages[0]?.code ?? 'NG';
      return sendHtml(reply, uploadPage(request, slug, report), report.result === 'OK' ? 200 : 400);
    });
  });

  app.get('/relays/:relayNumber', { config: { action: 'relayDetail' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'new');
    if (!detail) return reply;
    return sendHtml(reply, detailPage(request, 'new', detail, undefined));
  });

  app.get('/relays/:relayNumber/modify', { config: { action: 'relayModify' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'new');
    if (!detail) return reply;
    const { relay } = detail;
    const def = relayDef(relay.family, '20110');
    const closed = changeRefusal(relay);
    if (closed) {
      request.audit.result = closed.code;
      return sendHtml(reply, refusedPage(request, '廃止取次修正', closed, html`<a href="/relays/${relay.relayNumber}">廃止取次詳細へ戻る</a>`), 409);
    }
    const values = { ...formFromValues(filedBody(relay)), requestId: newRequestId(), updateFlag: '2', relayNumber: relay.relayNumber };
    return sendHtml(reply, modifyPage(request, def, relay, values, []));
  });

  app.post('/relays/:relayNumber/modify', { config: { action: 'relayModify' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'new');
    if (!detail) return reply;
    const { relay } = detail;
    const def = relayDef(relay.family, '20110');
    const form = formOf(request);
    const answer = await submit(deps, request, def, { ...requestFromForm(def.request, form), updateFlag: '2', relayNumber: relay.relayNumber });
    if (answer.result === 'OK') return reply.redirect(`/relays/${relay.relayNumber}?done=modified`, 303);
    const { _csrf: _token, ...values } = form;
    return sendHtml(
      reply,
      modifyPage(request, def, relay, { ...values, updateFlag: '2', relayNumber: relay.relayNumber }, answer.messages),
      statusOf(answer.messages),
    );
  });

  app.get('/relays/:relayNumber/cancel', { config: { action: 'relayCancel' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'new');
    if (!detail) return reply;
    const closed = changeRefusal(detail.relay);
    if (closed) {
      request.audit.result = closed.code;
      return sendHtml(reply, refusedPage(request, '廃止取次取消', closed, html`<a href="/relays/${detail.relay.relayNumber}">廃止取次詳細へ戻る</a>`), 409);
    }
    return sendHtml(reply, cancelPage(request, detail.relay, newRequestId(), []));
  });

  app.post('/relays/:relayNumber/cancel', { config: { action: 'relayCancel' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'new');
    if (!detail) return reply;
    const { relay } = detail;
    const form = formOf(request);
    const requestId = form.requestId || newRequestId();
    const answer = await submit(deps, request, relayDef(relay.family, '20110'), { requestId, updateFlag: '3', relayNumber: relay.relayNumber });
    if (answer.result === 'OK') return reply.redirect(`/relays/${relay.relayNumber}?done=cancelled`, 303);
    return sendHtml(reply, cancelPage(request, relay, requestId, answer.messages), statusOf(answer.messages));
  });

  app.get('/relays/received/:relayNumber', { config: { action: 'relayReceivedDetail' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'old');
    if (!detail) return reply;
    const def = relayDef(detail.relay.family, '20410');
    const values = { requestId: newRequestId(), relayNumber: detail.relay.relayNumber };
    return sendHtml(reply, detailPage(request, 'old', detail, { def, values, messages: [] }));
  });

  app.post('/relays/received/:relayNumber', { config: { action: 'relayDecision' } }, async (request, reply) => {
    const detail = await relayOf(deps, request, reply, 'old');
    if (!detail) return reply;
    const { relay } = detail;
    const def = relayDef(relay.family, '20410');
    const form = formOf(request);
    const answer = await submit(deps, request, def, { ...requestFromForm(def.request, form), relayNumber: relay.relayNumber });
    request.audit.supplyPointIds = [relay.supplyPointId];
    if (answer.result === 'OK') return reply.redirect(`/relays/received/${relay.relayNumber}?done=decided`, 303);
    const { _csrf: _token, ...values } = form;
    const fresh = answer.messages.some((m) => m.code === 'RELAY_ALREADY_DECIDED') ? await getRelay(deps, actorOf(request), relay.relayNumber) : detail;
    return sendHtml(
      reply,
      detailPage(request, 'old', fresh, { def, values: { ...values, relayNumber: relay.relayNumber }, messages: answer.messages }),
      statusOf(answer.messages),
    );
  });
}

function actorOf(request: FastifyRequest) {
  return actorWithAreas(sessionOf(request).actor, callerOf(request));
}

/** Validates a request as the API does and answers it through callInterface (same codes, same audit record). */
async function submit(deps: InterfaceDeps, request: FastifyRequest, def: InterfaceDefinition, body: Record<string, unknown>): Promise<InterfaceResponse> {
  request.audit.action = def.id;
  const validated = validateRequest(def, body);
  const answer: InterfaceResponse = await answerChecked(deps, interfaceCall(request), def, validated, body);
  if (answer.result === 'NG') request.audit.result = answer.messages[0]?.code ?? 'NG';
  return answer;
}

/**
 * The relay of `/relays/{number}…` (side `new`) or `/relays/received/{number}…` (side `old`) for the
 * signed-in retailer; the other party's URL redirects to its own side's, anyone else is told
 * RELAY_NOT_FOUND. Undefined when the reply has been sent.
 */
async function relayOf(deps: InterfaceDeps, request: FastifyRequest, reply: FastifyReply, side: Side): Promise<RelayDetail | undefined> {
  const number = (request.params as { relayNumber: string }).relayNumber;
  const actor = actorOf(request);
  let detail: RelayDetail;
  try {
    detail = await getRelay(deps, actor, number);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    request.audit.result = error.code;
    const back = html`<a href="${sideBases[side]}">${sideTitles[side]}へ戻る</a>`;
    sendHtml(reply, refusedPage(request, side === 'new' ? '廃止取次詳細' : '廃止取次受領詳細', error, back), error.code === 'RELAY_NOT_FOUND' ? 404 : 403);
    return undefined;
  }
  const { relay } = detail;
  request.audit.supplyPointIds = [relay.supplyPointId];
  const mine = side === 'new' ? relay.newCompanyCode : relay.oldCompanyCode;
  if (mine !== actor.participant.companyCode) {
    const other: Side = side === 'new' ? 'old' : 'new';
    const path = request.url.split('?')[0]!;
    if (request.method === 'GET' && path === `${sideBases[side]}/${encodeURIComponent(number)}`) {
      // The other retailer of the relay: its own side's detail.
      reply.redirect(`${sideBases[other]}/${relay.relayNumber}`, 303);
      return undefined;
    }
    // Modify and cancel are the new retailer's, the decision the old retailer's: the API's refusal.
    const refusal = new Refusal(side === 'new' ? 'RELAY_NOT_REGISTRANT' : 'RELAY_NOT_ADDRESSED', { params: { relayNumber: relay.relayNumber } });
    request.audit.result = refusal.code;
    sendHtml(reply, refusedPage(request, '廃止取次', refusal, html`<a href="${sideBases[other]}/${relay.relayNumber}">廃止取次詳細へ</a>`), 403);
    return undefined;
  }
  return detail;
}

/** Modify and cancel are for a relay awaiting a decision (the state machine's rule, said before the form). */
function changeRefusal(relay: RelayView): Refusal | undefined {
  if (relay.status === '01') return undefined;
  return new Refusal('RELAY_NOT_AWAITING', { params: { relayNumber: relay.relayNumber, status: relayStatuses[relay.status] } });
}

/** The relay as IS_20110 filed it (to prefill the modify form). */
function filedBody(relay: RelayView): Record<string, unknown> {
  const fit = relay.family === 'FIT';
  const body: Record<string, unknown> = {
    supplyPointId: relay.supplyPointId,
    contractNumber: relay.contractNumber,
    address: relay.address,
    [fit ? 'generatorNameKana' : 'customerNameKana']: relay.holderNameKana,
    [fit ? 'generatorName' : 'customerName']: relay.holderName,
    terminationDate: relay.terminationDate,
    oldRetailerCode: relay.oldParticipantCode,
    phoneNumber: relay.phoneNumber,
    remarks: relay.remarks,
  };
  return body;
}

// ---- lists -----------------------------------------------------------------------------------------

async function listScreen(deps: InterfaceDeps, request: FastifyRequest, reply: FastifyReply, side: Side) {
  const query = queryOf(request);
  const slug = slugOf(query);
  const family = familyOfSlug[slug];
  const def = relayDef(family, side === 'new' ? '20210' : '20310');
  const filterFields = def.request.filter((f) => f.id !== 'page');
  const pageNo = Math.max(1, Math.min(10_000, Math.floor(Number(query.page)) || 1));
  const answer = await submit(deps, request, def, { ...requestFromForm(filterFields, query), page: pageNo });
  const data = answer.result === 'OK' ? (answer.data ?? {}) : {};
  const items = (Array.isArray(data.relays) ? data.relays : []) as Record<string, unknown>[];
  const total = typeof data.total === 'number' ? data.total : 0;
  const { page: _page, ...kept } = query;
  const base = sideBases[side];
  const other = side === 'new' ? 'old' : 'new';
  const holder =
    family === 'FIT'
      ? { kana: 'generatorNameKana', name: 'generatorName', label: '発電者名' }
      : { kana: 'customerNameKana', name: 'customerName', label: '需要者名' };
  const placed = new Set(filterFields.map((f) => f.id));
  const unplaced = answer.result === 'NG' ? answer.messages.filter((m) => !m.field || !placed.has(m.field)) : [];
  const body = html`${crumbs(sideTitles[side])}
    ${sideTabs(side, slug, side === 'old' ? await countAwaitingDecisionByFamily(deps.db, callerOf(request).participant.companyCode) : undefined)}
    ${
      side === 'new'
        ? html`<p class="actions relay-list-actions"><a class="button" href="/relays/new?family=${slug}">新規登録</a> <a class="button secondary" href="/relays/upload?family=${slug}">CSVで一括登録</a>
          <span class="muted">${familyLabels[slug]}の廃止取次（${def.id}）</span></p>`
        : html`<p class="muted">現小売電気事業者として指定された廃止取次（${familyLabels[slug]}、${def.id}）。一覧の表示は取得として記録されます（1時間に1回以上の取得をお願いします）。</p>`
    }
    <form method="get" action="${base}" class="card filters relay-filters">
      <input type="hidden" name="family" value="${slug}">
      <div class="filter-row">${filterFields.map((f) => filterInput(f, query[f.id] ?? '', answer.result === 'NG' ? answer.messages : []))}
        <div class="filter-actions"><button type="submit">検索</button> <a href="${base}?family=${slug}">条件クリア</a></div>
      </div>
    </form>
    ${renderMessages(unplaced, 'refusal')}
    ${pager(base, kept, pageNo, 20, total)}
    <table class="data-rows relays">
      <thead><tr><th>廃止取次番号</th><th>${family === 'FIT' ? '受電地点特定番号' : '供給地点特定番号'}</th><th>${holder.label}</th><th>${side === 'new' ? '現小売電気事業者' : '新小売電気事業者'}</th><th>廃止年月日</th><th>ステータス</th><th>登録日時</th><th>更新日時</th></tr></thead>
      <tbody>${
        items.length === 0
          ? html`<tr><td colspan="8" class="muted">該当する廃止取次はありません。</td></tr>`
          : items.map((item) => {
              const number = textOf(item.relayNumber);
              return html`<tr data-relay="${number}"><td class="nowrap"><a href="${base}/${number}">${number}</a></td><td class="mono">${textOf(item.supplyPointId)}</td>
              <td>${textOf(item[holder.name])}${item[holder.kana] ? html`<br><span class="muted">${textOf(item[holder.kana])}</span>` : null}</td>
              <td><span class="mono">${textOf(item[`${other}RetailerCode`])}</span> ${textOf(item[`${other}RetailerName`])}</td>
              <td class="nowrap">${textOf(item.terminationDate) || '—'}</td><td class="nowrap">${statusBadge(textOf(item.status))}</td>
              <td class="nowrap">${jst(new Date(textOf(item.registeredAt)))}</td><td class="nowrap">${jst(new Date(textOf(item.updatedAt)))}</td></tr>`;
            })
      }</tbody>
    </table>
    ${total > 20 ? pager(base, kept, pageNo, 20, total) : null}`;
  return sendHtml(reply, page(signedIn(request, sideTitles[side]), body), answer.result === 'OK' ? 200 : statusOf(answer.messages));
}

/** One search condition: its label, its input (a select for the status) and its refusals. */
function filterInput(field: Field, value: string, messages: readonly ReceptionMessage[]): Html {
  const id = inputId(field.id);
  const mine = messages.filter((m) => m.field === field.id);
  const invalid = mine.length > 0 ? html` aria-invalid="true"` : null;
  let input: Html;
  if (field.type === 'code') {
    input = html`<select id="${id}" name="${field.id}"${invalid}><option value="">すべて</option>${Object.entries(field.table.codes).map(
      ([code, label]) => html`<option value="${code}"${code === value ? html` selected` : null}>${code} ${label}</option>`,
    )}</select>`;
  } else if (field.type === 'date') {
    input = html`<input type="date" class="w-date" id="${id}" name="${field.id}" value="${value}"${invalid}>`;
  } else {
    const cls = field.type === 'supplyPointId' ? 'w-spid' : field.type === 'participantCode' ? 'w-code' : 'w-short';
    input = html`<input type="text" class="${cls}" id="${id}" name="${field.id}" value="${value}" autocomplete="off"${field.type === 'supplyPointId' ? html` inputmode="numeric"` : null}${invalid}>`;
  }
  const label = field.id.endsWith('Name') && field.type === 'string' && !field.id.includes('Retailer') ? `${field.name}（前方一致）` : field.name;
  return html`<div><label for="${id}">${label}</label>${input}${mine.map((m) => html`<p class="field-error" role="alert"><span class="code">${m.code}</span> ${m.text}</p>`)}</div>`;
}

// ---- detail ----------------------------------------------------------------------------------------

interface DecisionForm {
  readonly def: InterfaceDefinition;
  readonly values: FormFields;
  readonly messages: readonly ReceptionMessage[];
}

function doneNotice(query: FormFields, relay: RelayView): Html | null {
  const line = (code: MessageCode, text: string) => html`<div class="notice" role="status"><p class="msg"><span class="code">${code}</span> ${text}</p></div>`;
  switch (query.done) {
    case 'registered':
      return line('RELAY_REGISTERED', new Refusal('RELAY_REGISTERED', { params: { relayNumber: relay.relayNumber } }).text);
    case 'decided':
      return line('RELAY_DECIDED', new Refusal('RELAY_DECIDED', { params: { relayNumber: relay.relayNumber, status: relayStatuses[relay.status] } }).text);
    case 'modified':
      return html`<p class="notice" role="status">廃止取次 ${relay.relayNumber} を修正しました。</p>`;
    case 'cancelled':
      return html`<p class="notice" role="status">廃止取次 ${relay.relayNumber} を取り消しました。</p>`;
    default:
      return null;
  }
}

function relayTable(relay: RelayView): Html {
  const fit = relay.family === 'FIT';
  const familySlug = slugOfFamily[relay.family];
  const row = (label: string, value: Html | string | null, cls = '') =>
    html`<tr><th>${label}</th><td class="${cls}">${value === null || value === '' ? '—' : value}</td></tr>`;
  return html`<table class="kv relay-kv"><tbody>
    ${row('廃止取次番号', html`<span class="relay-number">${relay.relayNumber}</span>`)}
    ${row('ステータス', statusBadge(relay.status))}
    ${row('託送区分', familyLabels[familySlug])}
    ${row(fit ? '受電地点特定番号' : '供給地点特定番号', relay.supplyPointId, 'mono')}
    ${row('契約番号', relay.contractNumber, 'free-text')}
    ${row('住所', addressLine(relay.address), 'free-text')}
    ${row(fit ? '発電者名（カナ）' : '需要者名（カナ）', relay.holderNameKana, 'free-text')}
    ${row(fit ? '発電者名（漢字）' : '需要者名（漢字）', relay.holderName, 'free-text')}
    ${row('廃止年月日', relay.terminationDate)}
    ${row('現小売電気事業者', `${relay.oldParticipantCode} ${relay.oldRetailerName}`)}
    ${row('新小売電気事業者', `${relay.newParticipantCode} ${relay.newRetailerName}`)}
    ${row('電話番号', relay.phoneNumber)}
    ${row('連絡事項', relay.remarks, 'free-text pre')}
    ${row('登録日時', jst(relay.registeredAt))}
    ${row('更新日時', jst(relay.updatedAt))}
  </tbody></table>`;
}

/** What each side does next after a decision (slides 24–25 ⑦ and 25 ⑤). */
const hint: Readonly<Record<Side, Readonly<Record<'02' | '03', string>>>> = {
  new: {
    '02': '廃止OKとなりました。一般送配電システムで「スイッチング開始申込」を行ってください。',
    '03': '内容を確認のうえ、必要であれば新たに廃止取次を登録してください。',
  },
  old: {
    '02': '一般送配電システムで「スイッチング廃止申込」を行ってください。',
    '03': 'NGと判断しました。新小売電気事業者が内容を確認のうえ、再度登録することがあります。',
  },
};

function decisionTable(relay: RelayView, side: Side): Html | null {
  if (relay.status !== '02' && relay.status !== '03') return null;
  const reason = relay.ngReason ? `${relay.ngReason} ${relayNgReasons[relay.ngReason as RelayNgReasonCode] ?? ''}` : null;
  return html`<section class="card relay-card relay-decision decided-${relay.status}"><h2>判断結果</h2>
    <table class="kv"><tbody>
      <tr><th>判断</th><td>${statusBadge(relay.status)}</td></tr>
      <tr><th>判断者名</th><td class="free-text deciding-person">${relay.decidingPersonName ?? '—'}</td></tr>
      <tr><th>判断日時</th><td>${jst(relay.decidedAt)}</td></tr>
      ${
        relay.status === '03'
          ? html`<tr><th>NG理由</th><td class="ng-reason">${reason ?? '—'}</td></tr><tr><th>NG理由詳細</th><td class="free-text pre ng-text">${relay.ngText ?? '—'}</td></tr>`
          : null
      }
    </tbody></table>
    <p class="muted">${hint[side][relay.status]}</p>
  </section>`;
}

function historyTable(relay: RelayView, events: readonly RelayEventRow[]): Html {
  const company = (code: string) =>
    code === relay.newCompanyCode ? `${relay.newRetailerName}（新小売）` : code === relay.oldCompanyCode ? `${relay.oldRetailerName}（現小売）` : code;
  return html`<section class="card relay-card"><h2>履歴</h2>
    <table class="data-rows relay-history"><thead><tr><th>日時</th><th>操作</th><th>ステータス</th><th>事業者</th><th>ユーザ</th></tr></thead>
    <tbody>${events.map((e) => html`<tr><td class="nowrap">${jst(e.at)}</td><td>${eventLabels[e.event]}</td><td>${statusBadge(e.status)}</td><td>${company(e.companyCode)}</td><td class="mono">${e.userId ?? '（システム連携）'}</td></tr>`)}</tbody></table>
  </section>`;
}

function detailPage(request: FastifyRequest, side: Side, detail: RelayDetail, decision: DecisionForm | undefined): Html {
  const { relay, events } = detail;
  const slug = slugOfFamily[relay.family];
  const title = side === 'new' ? '廃止取次詳細' : '廃止取次受領詳細';
  const base = sideBases[side];
  const open = relay.status === '01';
  const areaBase = `/areas/${relay.area}/${slug}`;
  const body = html`${crumbs(html`<a href="${base}?family=${slug}">${sideTitles[side]}</a>`, relay.relayNumber)}
    ${doneNotice(queryOf(request), relay)}
    <div class="relay-detail">
      <section class="card relay-card"><h2>廃止取次の内容</h2>${relayTable(relay)}
        ${
          side === 'new' && open
            ? html`<p class="actions"><a class="button" href="/relays/${relay.relayNumber}/modify">修正</a> <a class="button secondary" href="/relays/${relay.relayNumber}/cancel">取消</a></p>`
            : null
        }
      </section>
      ${decisionTable(relay, side)}
      ${side === 'old' && open && decision ? decisionFormView(request, relay, decision) : null}
      ${side === 'old' && !open && decision && decision.messages.length > 0 ? renderMessages(decision.messages, 'refusal') : null}
    </div>
    ${historyTable(relay, events)}
    <p class="actions"><a href="${base}?family=${slug}">一覧へ戻る</a>
      ${
        relay.status === '02'
          ? html`<a href="${areaBase}/if/${ifId(relay.family, side === 'new' ? '10610' : '10710')}?${new URLSearchParams({ supplyPointId: relay.supplyPointId }).toString()}">一般送配電システムで${side === 'new' ? 'スイッチング開始申込' : 'スイッチング廃止申込'}を行う</a>`
          : null
      }
      ${side === 'new' && relay.status === '03' ? html`<a href="/relays/new?family=${slug}&amp;supplyPointId=${relay.supplyPointId}">この供給地点で再登録</a>` : null}</p>`;
  return page(signedIn(request, `${title} ${relay.relayNumber}`), body);
}

function decisionFormView(request: FastifyRequest, relay: RelayView, decision: DecisionForm): Html {
  const rendered = renderFields(decision.def.request, decision.values, decision.messages, { hidden: new Set(['requestId', 'relayNumber']) });
  return html`<section class="card relay-card relay-decide"><h2>廃止の判断</h2>
    <p class="muted">需要者の情報を確認し、OKの場合は担当者名を、NGの場合は担当者名とNG理由を入力して「決定」を押してください。NG理由「09 その他」はNG理由詳細が必須です。</p>
    ${renderMessages(rendered.unplaced, 'refusal')}
    <form method="post" action="/relays/received/${relay.relayNumber}" class="if-form decision-form" novalidate>
      ${csrfField(sessionOf(request).csrfToken)}
      ${rendered.fields}
      <p class="actions"><button type="submit">決定</button></p>
    </form></section>`;
}

// ---- register, modify, cancel ---------------------------------------------------------------------

function registerForm(
  request: FastifyRequest,
  def: InterfaceDefinition,
  action: string,
  values: FormFields,
  messages: readonly ReceptionMessage[],
  mode: 'register' | 'modify',
  back: Html,
): Html {
  const hidden = new Set(['requestId', 'updateFlag']);
  const readonly = new Set<string>();
  const omit = new Set<string>();
  if (mode === 'register') omit.add('relayNumber');
  else readonly.add('relayNumber').add('supplyPointId').add('oldRetailerCode');
  const rendered = renderFields(def.request, values, messages, { hidden, readonly, omit });
  return html`${renderMessages(rendered.unplaced, 'refusal')}
    <form method="post" action="${action}" class="card if-form relay-form" novalidate>
      ${csrfField(sessionOf(request).csrfToken)}
      ${rendered.fields}
      <p class="actions"><button type="submit">${mode === 'register' ? '登録' : '修正する'}</button> ${back}</p>
    </form>`;
}

/**
 * The other retailers' codes in the areas the signed-in retailer works in (the participant list,
 * IS_30110's data): the old retailer is named by its code for the point's area.
 */
async function retailerCodes(deps: InterfaceDeps, request: FastifyRequest): Promise<Html> {
  const caller = callerOf(request).participant;
  const { items } = await listParticipants(deps.db, { kind: 'retailer', status: 'active' }, { size: 200 });
  const rows = caller.areas.flatMap((area: AreaCode) =>
    items
      .filter((p) => p.companyCode !== caller.companyCode && p.areas.includes(area))
      .map((p) => html`<tr><td>${areaOf(area).name}（${area}）</td><td class="mono">${p.companyCode}${area.slice(1)}</td><td>${p.name}</td></tr>`),
  );
  return html`<details class="card relay-retailers"><summary>現小売電気事業者コードの一覧（登録エリアの小売電気事業者）</summary>
    ${rows.length === 0 ? html`<p class="muted">該当する事業者はありません。</p>` : html`<table class="data-rows dense"><thead><tr><th>エリア</th><th>現小売電気事業者コード</th><th>事業者名</th></tr></thead><tbody>${rows}</tbody></table>`}
  </details>`;
}

function registerPage(request: FastifyRequest, def: InterfaceDefinition, values: FormFields, messages: readonly ReceptionMessage[], retailers: Html): Html {
  const slug = slugOfFamily[def.family];
  const title = '廃止取次登録';
  const body = html`${crumbs(html`<a href="/relays?family=${slug}">${sideTitles.new}</a>`, title)}
    <p><span class="scope-badge">${familyLabels[slug]}</span> <span class="if-id">${def.id}</span>
      <a href="/relays/upload?family=${slug}">CSVで一括登録</a></p>
    <p class="muted">現小売電気事業者コードは、供給地点のエリアの事業者コード（会社コード4桁＋エリアの番号、例: 10033）です。下の一覧または<a href="/participants">事業者一覧</a>で確認できます。</p>
    ${registerForm(request, def, `/relays/new?family=${slug}`, values, messages, 'register', html`<a href="/relays?family=${slug}">一覧へ戻る</a>`)}
    ${retailers}`;
  return page(signedIn(request, title), body);
}

function modifyPage(request: FastifyRequest, def: InterfaceDefinition, relay: RelayView, values: FormFields, messages: readonly ReceptionMessage[]): Html {
  const slug = slugOfFamily[relay.family];
  const title = '廃止取次修正';
  const body = html`${crumbs(html`<a href="/relays?family=${slug}">${sideTitles.new}</a>`, html`<a href="/relays/${relay.relayNumber}">${relay.relayNumber}</a>`, title)}
    <p><span class="scope-badge">${familyLabels[slug]}</span> <span class="if-id">${def.id}（更新区分 2 修正）</span></p>
    <p class="muted">供給地点特定番号と現小売電気事業者は修正できません。変更する場合は取り消してから新たに登録してください。</p>
    ${registerForm(request, def, `/relays/${relay.relayNumber}/modify`, values, messages, 'modify', html`<a href="/relays/${relay.relayNumber}">修正せずに戻る</a>`)}`;
  return page(signedIn(request, title), body);
}

function cancelPage(request: FastifyRequest, relay: RelayView, requestId: string, messages: readonly ReceptionMessage[]): Html {
  const slug = slugOfFamily[relay.family];
  const title = '廃止取次取消';
  const body = html`${crumbs(html`<a href="/relays?family=${slug}">${sideTitles.new}</a>`, html`<a href="/relays/${relay.relayNumber}">${relay.relayNumber}</a>`, title)}
    ${renderMessages(messages, 'refusal')}
    <p class="notice">廃止取次 ${relay.relayNumber} を取り消します。取り消した廃止取次は元に戻せません（更新区分 3 取消）。</p>
    <section class="card relay-card">${relayTable(relay)}</section>
    <form method="post" action="/relays/${relay.relayNumber}/cancel" class="card">
      ${csrfField(sessionOf(request).csrfToken)}
      <input type="hidden" name="requestId" value="${requestId}">
      <p class="actions"><button type="submit" class="danger">取り消す</button> <a href="/relays/${relay.relayNumber}">取り消さずに戻る</a></p>
    </form>`;
  return page(signedIn(request, title), body);
}

// ---- CSV ---------------------------------------------------------------------------------------------

/** The template's columns: the request's fields by their Japanese names, a group's items as columns of their own. */
function csvHeader(def: InterfaceDefinition): string[] {
  return def.request.flatMap((field) =>
    field.type === 'group' ? (field.repeated ? [] : field.fields.map((item) => `${field.name}（${item.name}）`)) : [field.name],
  );
}

/** The fields of a multipart/form-data body: text as strings, a file as its bytes (Node's own parser). */
async function parseMultipart(contentType: string, body: Buffer): Promise<Record<string, string | Uint8Array>> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { headers: { 'content-type': contentType } }).formData();
  } catch {
    throw new Refusal('HTTP_BAD_REQUEST');
  }
  const out: Record<string, string | Uint8Array> = {};
  for (const [key, value] of form) {
    if (key in out) continue;
    out[key] = typeof value === 'string' ? value : new Uint8Array(await value.arrayBuffer());
  }
  return out;
}

/** Rows shown of a report at most: a file of 100,000 rows is reported by its refused rows first. */
const maxReportRows = 1000;

function uploadPage(request: FastifyRequest, slug: FamilySlug, report: BulkReport | undefined): Html {
  const def = relayDef(familyOfSlug[slug], '20110');
  const title = '廃止取次CSV一括登録';
  const families = familySlugs.map((f) => html`<a href="/relays/upload?family=${f}"${f === slug ? html` aria-current="page"` : null}>${familyLabels[f]}</a>`);
  const body = html`${crumbs(html`<a href="/relays?family=${slug}">${sideTitles.new}</a>`, title)}
    <div class="relay-tabs"><nav class="tabs family" aria-label="託送区分">${families}</nav></div>
    <form method="post" action="/relays/upload?family=${slug}" enctype="multipart/form-data" class="card relay-upload">
      ${csrfField(sessionOf(request).csrfToken)}
      <label for="f-file">CSVファイル（UTF-8 または Shift_JIS、1行目は項目名）</label>
      <input type="file" id="f-file" name="file" accept=".csv,text/csv" required>
      <p class="actions"><button type="submit">アップロードして登録</button> <a href="/relays/template.csv?family=${slug}" download>項目名の行（テンプレート）をダウンロード</a></p>
      <p class="muted">${def.id}: 更新区分 1 登録・2 修正・3 取消。1行でも誤りがあればファイル全体を受け付けません（どの行も登録されません）。誤りを直してファイル全体を再度送信してください。同じファイルを2回送っても二重には登録されません（行ごとのリクエストID）。</p>
      <p class="muted csv-columns">項目: ${csvHeader(def).join('、')}</p>
    </form>
    ${report ? reportView(def, report) : null}`;
  return page(signedIn(request, title), body);
}

/** A field path of a refusal as the CSV's column is named (`address.city` → 住所（市区町村）). */
function columnName(def: InterfaceDefinition, path: string): string {
  const [top, item] = path.split('.');
  const field = def.request.find((f) => f.id === top);
  if (!field) return path;
  if (item !== undefined && field.type === 'group') {
    const sub = field.fields.find((f) => f.id === item);
    return sub ? `${field.name}（${sub.name}）` : path;
  }
  return field.name;
}

function reportView(def: InterfaceDefinition, report: BulkReport): Html {
  const rows = report.data.rows;
  const refusedRows = rows.filter((r) => r.result === 'NG');
  const shown = rows.length <= maxReportRows ? rows : (refusedRows.length > 0 ? refusedRows : rows).slice(0, maxReportRows);
  return html`<section class="card relay-card relay-report" aria-label="処理結果"><h2>処理結果</h2>
    ${renderMessages(report.messages, report.result === 'OK' ? 'notice' : 'refusal')}
    <p class="summary">行数 ${rows.length}　登録 ${report.data.accepted}　誤り ${report.data.refused}${shown.length < rows.length ? html`　<span class="muted">（${shown.length}行を表示）</span>` : null}</p>
    ${
      rows.length > 0
        ? html`<table class="data-rows bulk-report"><thead><tr><th>行</th><th>リクエストID</th><th>供給地点特定番号</th><th>結果</th><th>廃止取次番号</th><th>コード・メッセージ</th></tr></thead>
        <tbody>${shown.map(
          (
            r,
          ) => html`<tr class="${r.result === 'NG' ? 'ng' : 'ok'}" data-row="${r.row}"><td class="num">${r.row}</td><td class="mono">${r.requestId ?? ''}</td><td class="mono">${r.supplyPointId ?? ''}</td>
          <td class="${r.result === 'NG' ? 'bad' : 'good'}">${r.result}</td>
          <td class="mono">${r.relayNumber ? html`<a href="/relays/${r.relayNumber}">${r.relayNumber}</a>` : ''}</td>
          <td>${r.messages.map((m) => html`<p class="msg"><span class="code">${m.code}</span> ${m.field ? html`<span class="muted">[${columnName(def, m.field)}]</span> ` : null}${m.text}</p>`)}</td></tr>`,
        )}</tbody></table>`
        : null
    }
  </section>`;
}
