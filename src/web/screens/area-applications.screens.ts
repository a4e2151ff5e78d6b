/**
 * 申込内容一覧照会 (slides 24–25) of an area and family: the company's applications as the hub's
 * outbox keeps them, 20 a page, newest update first, with filters (application number, supply point
 * ID, kind, registration date), each with its current stage asked of the grid through the status
 * inquiry (…20) — the same call a retailer's system makes. The detail shows the stage history and
 * the filings, with links to correct or cancel while the application is still in progress.
 *
 *   GET /areas/{area}/{family}/applications?applicationNumber=&supplyPointId=&kind=&from=&to=&page=
 *   GET /areas/{area}/{family}/applications/{applicationNumber}
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { applicationKinds, isStageCode, stageOutcomes, type ApplicationKindCode } from '../../domain/codes.ts';
import { addDays, parseIsoDate, tokyoMidnight, type IsoDate } from '../../domain/date.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { parseSupplyPointId } from '../../domain/supply-point-id.ts';
import { listApplications, selectFilings } from '../../hub/applications/application.queries.ts';
import { callerOf } from '../../hub/http/context.ts';
import { callInterface, type InterfaceDeps } from '../../hub/interfaces/call.ts';
import { interfaceById, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import { pager, queryOf, select, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { renderData, renderMessages } from '../interface-form.ts';
import { page } from '../layout.ts';
import { jst } from '../labels.ts';
import { crumbs, familyInterface, interfaceCall, refusalPage, scopeBadge, scopeOf, refuseOutsideArea, sendHtml, type AreaScope } from './area.screens.ts';
import { signedIn } from './page-user.ts';

export const applicationsPageSize = 20;

const applicationNumbers = ['10410', '10510', '10610', '10710', '10810', '10910'];

/** The family's application interfaces (…10) the hub offers. */
function applicationDefs(scope: AreaScope): InterfaceDefinition[] {
  return applicationNumbers.map((n) => familyInterface(scope.family, n)).filter((d): d is InterfaceDefinition => d !== undefined);
}

function kindOf(item: { interfaceId: string; body: Record<string, unknown> }): string {
  const def = interfaceById(item.interfaceId);
  const kind = typeof item.body.applicationKind === 'string' ? item.body.applicationKind : def?.applicationKinds?.[0];
  return kind && kind in applicationKinds ? `${kind} ${applicationKinds[kind as ApplicationKindCode]}` : (def?.name ?? item.interfaceId);
}

interface Stage {
  readonly answer: InterfaceResponse;
  readonly statusDef: InterfaceDefinition | undefined;
}

/** The current stage of an application, asked of its grid like any status inquiry (a separate audit list: the page's record names every point). */
async function stageOf(deps: InterfaceDeps, request: FastifyRequest, interfaceId: string, applicationNumber: string): Promise<Stage> {
  const statusDef = interfaceById(interfaceId.replace(/10$/, '20'));
  if (!statusDef) return { statusDef, answer: { result: 'NG', messages: [new Refusal('IF_NOT_OFFERED', { params: { interfaceId } }).toDetail()] } };
  const audit = { supplyPointIds: [] as string[] };
  const answer = await callInterface(deps, { ...interfaceCall(request), audit }, statusDef, { applicationNumber });
  return { statusDef, answer };
}

function inProgress(stage: Stage, lastUpdateFlag: string): boolean {
  if (lastUpdateFlag === '3') return false;
  if (stage.answer.result !== 'OK') return false;
  const code = stage.answer.data?.stage;
  // No stage yet: accepted by the hub and not yet delivered (OUTBOX_NOT_DELIVERED), still open.
  if (typeof code !== 'string') return true;
  return isStageCode(code) && stageOutcomes[code] === 'inProgress';
}

function stageCell(stage: Stage): Html {
  if (stage.answer.result !== 'OK') {
    const m = stage.answer.messages[0];
    return html`<span class="field-error"><span class="code">${m?.code ?? 'NG'}</span></span>`;
  }
  const data = stage.answer.data ?? {};
  if (typeof data.stage !== 'string') {
    const m = stage.answer.messages[0];
    return html`<span class="stage pending">未送達</span>${m ? html` <span class="code">${m.code}</span>` : null}`;
  }
  const outcome = isStageCode(data.stage) ? stageOutcomes[data.stage] : 'inProgress';
  return html`<span class="stage ${outcome}" data-stage="${data.stage}">${data.stage} ${typeof data.stageName === 'string' ? data.stageName : ''}</span>`;
}

function actionLinks(scope: AreaScope, item: { interfaceId: string; applicationNumber: string }, open: boolean): Html | null {
  if (!open) return null;
  const correct = new URLSearchParams({ correct: item.applicationNumber }).toString();
  const cancel = new URLSearchParams({ cancel: item.applicationNumber }).toString();
  return html`<a href="${scope.base}/if/${item.interfaceId}?${correct}">訂正</a> <a href="${scope.base}/if/${item.interfaceId}?${cancel}">取消</a>`;
}

export function registerAreaApplicationScreens(app: FastifyInstance, deps: InterfaceDeps): void {
  app.get('/areas/:area/:family/applications', { config: { action: 'applicationList' } }, async (request, reply) => {
    const scope = scopeOf(request);
    const title = '申込内容一覧照会';
    const outside = refuseOutsideArea(request, reply, scope, title);
    if (outside) return outside;
    const query = queryOf(request);
    const defs = applicationDefs(scope);
    const kindTable: Record<string, string> = {};
    for (const def of defs) for (const k of def.applicationKinds ?? []) kindTable[k] = `${k} ${applicationKinds[k]}`;
    const refusals: Refusal[] = [];
    const filter = parseFilter(query, kindTable, defs, refusals);
    const pageNo = Math.max(1, Math.min(10_000, Number(query.page) || 1));
    const result =
      refusals.length > 0
        ? { items: [], total: 0 }
        : await listApplications(
            deps.db,
            {
              companyCode: callerOf(request).participant.companyCode,
              area: scope.area.code,
              interfaceIds: defs.map((d) => d.id),
              ...filter,
            },
            { page: pageNo, size: applicationsPageSize },
          );
    if (refusals.length > 0) request.audit.result = refusals[0]!.code;
    const stages = await Promise.all(result.items.map((item) => stageOf(deps, request, item.interfaceId, item.applicationNumber)));
    request.audit.supplyPointIds = [...new Set(result.items.map((i) => i.supplyPointId))];
    const fieldError = (field: string) =>
      refusals.filter((r) => r.field === field).map((r) => html`<p class="field-error" role="alert"><span class="code">${r.code}</span> ${r.text}</p>`);
    const { page: _page, ...kept } = query;
    const body = html`${crumbs(scope, title)}
      <p>${scopeBadge(scope)}</p>
      <form method="get" action="${scope.base}/applications" class="card filters">
        <div class="filter-row">
          <div><label for="f-applicationNumber">申込番号</label><input type="text" id="f-applicationNumber" name="applicationNumber" value="${query.applicationNumber ?? ''}" class="w-short">${fieldError('applicationNumber')}</div>
          <div><label for="f-supplyPointId">供給地点特定番号</label><input type="text" id="f-supplyPointId" name="supplyPointId" inputmode="numeric" value="${query.supplyPointId ?? ''}" class="w-spid">${fieldError('supplyPointId')}</div>
          <div><label for="kind">申込種別</label>${select('kind', kindTable, query.kind, { blank: 'すべて' })}${fieldError('kind')}</div>
          <div><label for="f-from">登録日（から）</label><input type="date" id="f-from" name="from" value="${query.from ?? ''}" class="w-date">${fieldError('from')}</div>
          <div><label for="f-to">登録日（まで）</label><input type="date" id="f-to" name="to" value="${query.to ?? ''}" class="w-date">${fieldError('to')}</div>
          <div class="filter-actions"><button type="submit">検索</button> <a href="${scope.base}/applications">条件クリア</a></div>
        </div>
      </form>
      ${pager(`${scope.base}/applications`, kept, pageNo, applicationsPageSize, result.total)}
      <table class="data-rows applications">
        <thead><tr><th>申込番号</th><th>申込種別</th><th>供給地点特定番号</th><th>受付工程</th><th>実施予定日</th><th>登録日時</th><th>更新日時</th><th>操作</th></tr></thead>
        <tbody>${
          result.items.length === 0
            ? html`<tr><td colspan="8" class="muted">該当する申込はありません。</td></tr>`
            : result.items.map((item, i) => {
                const stage = stages[i]!;
                const scheduled = stage.answer.data?.scheduledDate;
                return html`<tr data-application="${item.applicationNumber}"><td><a href="${scope.base}/applications/${item.applicationNumber}">${item.applicationNumber}</a>${item.lastUpdateFlag === '3' ? html` <span class="tag">取消</span>` : item.filings > 1 ? html` <span class="tag">訂正${item.filings - 1}</span>` : null}</td>
                <td>${kindOf(item)}</td><td class="mono">${item.supplyPointId}</td><td>${stageCell(stage)}</td>
                <td>${typeof scheduled === 'string' ? scheduled : '—'}</td><td>${jst(item.registeredAt)}</td><td>${jst(item.updatedAt)}</td>
                <td>${actionLinks(scope, item, inProgress(stage, item.lastUpdateFlag))}</td></tr>`;
              })
        }</tbody>
      </table>
      <p class="actions"><a href="${scope.base}">メニューへ戻る</a></p>`;
    return sendHtml(reply, page(signedIn(request, title), body), refusals.length > 0 ? 400 : 200);
  });

  app.get('/areas/:area/:family/applications/:applicationNumber', { config: { action: 'applicationDetail' } }, async (request, reply) => {
    const scope = scopeOf(request);
    const title = '申込内容詳細';
    const outside = refuseOutsideArea(request, reply, scope, title);
    if (outside) return outside;
    const number = (request.params as { applicationNumber: string }).applicationNumber;
    const company = callerOf(request).participant.companyCode;
    const filings = (await selectFilings(deps.db, number)).filter((f) => f.companyCode === company && f.area === scope.area.code);
    const registration = filings.find((f) => f.updateFlag === '1');
    const def = registration ? interfaceById(registration.interfaceId) : undefined;
    if (!registration || !def || def.family !== scope.family) {
      const refusal = new Refusal('OUTBOX_APPLICATION_NOT_FOUND', { params: { applicationNumber: number } });
      request.audit.result = refusal.code;
      return sendHtml(reply, refusalPage(request, title, scope, refusal), 404);
    }
    request.audit.supplyPointIds = [registration.supplyPointId];
    const stage = await stageOf(deps, request, registration.interfaceId, number);
    const last = filings.at(-1)!;
    const open = inProgress(stage, last.updateFlag);
    const flagNames: Record<string, string> = { '1': '登録', '2': '訂正', '3': '取消' };
    const body = html`${crumbs(scope, html`<a href="${scope.base}/applications">申込内容一覧照会</a>`, number)}
      <p>${scopeBadge(scope)} <span class="if-id">${registration.interfaceId}</span></p>
      <section class="card area-card"><h2>申込</h2>
        <table class="kv"><tbody>
          <tr><th>申込番号</th><td class="application-number">${number}</td></tr>
          <tr><th>申込種別</th><td>${kindOf(registration)}</td></tr>
          <tr><th>インタフェース</th><td>${def.name}（${def.id}）</td></tr>
          <tr><th>供給地点特定番号</th><td class="mono">${registration.supplyPointId}</td></tr>
          <tr><th>登録日時</th><td>${jst(registration.filedAt)}</td></tr>
        </tbody></table>
        ${open ? html`<p class="actions">${actionLinks(scope, registration, true)}</p>` : html`<p class="muted">訂正・取消できるのは処理中（受付工程 01〜04、10）の申込のみです。</p>`}
      </section>
      <section class="card area-card"><h2>受付工程（${stage.statusDef?.id ?? ''}）</h2>
        ${
          stage.answer.result === 'OK'
            ? html`${renderMessages(stage.answer.messages, 'notice')}${stage.statusDef ? renderData(stage.statusDef.response, stage.answer.data ?? {}) : null}`
            : renderMessages(stage.answer.messages, 'refusal')
        }
      </section>
      <section class="card area-card"><h2>申込履歴（ハブ受付）</h2>
        <table class="data-rows"><thead><tr><th>#</th><th>更新区分</th><th>受付日時</th><th>リクエストID</th><th>送達</th><th>一般送配電事業者の応答</th></tr></thead>
        <tbody>${filings.map(
          (f, i) => html`<tr><td>${i + 1}</td><td>${f.updateFlag} ${flagNames[f.updateFlag]}</td><td>${jst(f.filedAt)}</td><td class="mono">${f.requestId}</td>
          <td>${f.status === 'delivered' ? html`送達済（${jst(f.deliveredAt)}）` : html`<span class="stage pending">未送達</span>`}</td>
          <td>${f.gridAnswer ? html`${f.gridAnswer.result}${f.gridAnswer.messages.map((m) => html` <span class="code">${m.code}</span>`)}` : '—'}</td></tr>`,
        )}</tbody></table>
      </section>
      <p class="actions"><a href="${scope.base}/applications">一覧へ戻る</a> <a href="${scope.base}">メニューへ戻る</a></p>`;
    return sendHtml(reply, page(signedIn(request, `${title} ${number}`), body));
  });
}

interface Filter {
  applicationNumber?: string;
  supplyPointId?: string;
  kind?: { interfaceIds: string[]; bodyKind?: string };
  registeredFrom?: Date;
  registeredBefore?: Date;
}

/** The list's filters from the query; a refused one (a malformed ID or date) is shown next to its input. */
function parseFilter(query: FormFields, kindTable: Record<string, string>, defs: readonly InterfaceDefinition[], refusals: Refusal[]): Filter {
  const filter: Filter = {};
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      if (!isRefusal(error)) throw error;
      refusals.push(error);
    }
  };
  if (query.applicationNumber) filter.applicationNumber = query.applicationNumber.normalize('NFKC').trim().toUpperCase();
  if (query.supplyPointId) attempt(() => (filter.supplyPointId = parseSupplyPointId(query.supplyPointId!, 'supplyPointId')));
  if (query.kind) {
    if (!(query.kind in kindTable))
      refusals.push(new Refusal('CODE_UNKNOWN', { field: 'kind', params: { field: '申込種別', value: query.kind.slice(0, 20) } }));
    else {
      const filing = defs.filter((d) => d.applicationKinds?.includes(query.kind as ApplicationKindCode));
      const shared = filing.some((d) => (d.applicationKinds?.length ?? 0) > 1);
      filter.kind = { interfaceIds: filing.map((d) => d.id), ...(shared ? { bodyKind: query.kind } : {}) };
    }
  }
  if (query.from) attempt(() => (filter.registeredFrom = tokyoMidnight(parseIsoDate(query.from!, 'from'))));
  if (query.to) attempt(() => (filter.registeredBefore = tokyoMidnight(addDays(parseIsoDate(query.to!, 'to'), 1) as IsoDate)));
  return filter;
}
