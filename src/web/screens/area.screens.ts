/**
 * The area screens (slides 22–23): choosing where to work (LV / HV / LV FIT, then one of the ten
 * areas, or a supply point ID whose area is detected), the area main menu (the same for every area),
 * and every function of it through one catalogue-driven form (web/interface-form.ts): facility
 * info, the usage password application and its status, usage info with its charts, move-in,
 * move-out, switch-in, switch-out, customer/generator info change, ampere change, and corrections
 * and cancellations of applications.
 *
 * Every screen that does what an interface does calls `callInterface` with the signed-in user as the
 * actor, so it refuses with the same codes as the API and writes the same audit record (the
 * interface ID as the action, the supply point, the result code).
 *
 *   GET  /areas                                  choose family and area, or type a supply point ID
 *   GET  /areas/detect?supplyPointId=&family=    the area of a supply point → its menu
 *   GET  /areas/{area}/{lv|hv|fit}               the area main menu
 *   GET  /areas/{area}/{family}/if/{IF_…}        an interface's form (prefilled from the query;
 *                                                ?correct=AP… / ?cancel=AP… for update flag 2 / 3)
 *   POST /areas/{area}/{family}/if/{IF_…}        validate → callInterface → the answer
 *
 * The supply point search and the application list are in area-search.screens.ts and
 * area-applications.screens.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { areaOf, areas, isAreaCode, type Area, type AreaCode } from '../../domain/area.ts';
import { stageOutcomes, isStageCode } from '../../domain/codes.ts';
import { addDays, tokyoDate } from '../../domain/date.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { parseSupplyPointId } from '../../domain/supply-point-id.ts';
import { interfaceById, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import { ifId } from '../../interfaces/catalogue/fields.ts';
import type { GroupField, InterfaceFamily } from '../../interfaces/catalogue/types.ts';
import type { InterfaceResponse, ReceptionMessage } from '../../interfaces/message.ts';
import { validateRequest } from '../../interfaces/validate.ts';
import {
  attachmentLimitOf,
  checkAttachments,
  maxAttachmentBytes,
  maxAttachmentRequestBytes,
  maxAttachmentsTotalBytes,
  validatedWithAttachments,
} from '../../interfaces/attachments.ts';
import { filesOf, formDataBody } from '../../platform/http/multipart.ts';
import { selectFilings } from '../../hub/applications/application.queries.ts';
import { callerOf, sessionOf } from '../../hub/http/context.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { answerChecked, callInterface, isOffered, type InterfaceCall, type InterfaceDeps } from '../../hub/interfaces/call.ts';
import { csrfField, queryOf, formOf, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { formFromValues, renderData, renderFields, renderMessages, requestFromForm, rowsTable } from '../interface-form.ts';
import { page } from '../layout.ts';
import { halfHourlyChart, monthlyChart, slotEnd, slotStart } from '../usage-chart.ts';
import { signedIn } from './page-user.ts';

// ---- families, areas and the menu --------------------------------------------------------------

export type FamilySlug = 'lv' | 'hv' | 'fit';

export const familyLabels: Readonly<Record<FamilySlug, string>> = { lv: '低圧託送', hv: '高圧託送', fit: '低圧FIT電源' };
export const familyOfSlug: Readonly<Record<FamilySlug, InterfaceFamily>> = { lv: 'LV', hv: 'HV', fit: 'FIT' };
export const familySlugs: readonly FamilySlug[] = ['lv', 'hv', 'fit'];

export function isFamilySlug(value: string): value is FamilySlug {
  return (familySlugs as readonly string[]).includes(value);
}

interface MenuEntry {
  readonly label: string;
  /** An interface number of the catalogue (the family's variant is used), or a screen of its own. */
  readonly number?: string;
  readonly screen?: 'search' | 'applications';
}

/** The area main menu (slide 22), in groups; an entry whose interface the family lacks is not shown. */
const menu: readonly { readonly title: string; readonly entries: readonly MenuEntry[] }[] = [
  {
    title: '共通情報検索',
    entries: [
      { label: '供給地点特定番号検索（住所・名義）', screen: 'search' },
      { label: '設備情報照会', number: '10110' },
      { label: '使用量照会PW申請', number: '10210' },
      { label: '使用量照会PW申請の受付状態確認', number: '10220' },
      { label: '使用量照会', number: '10310' },
    ],
  },
  {
    title: '託送異動',
    entries: [
      { label: '再点申込', number: '10410' },
      { label: '廃止（撤去）申込', number: '10510' },
      { label: 'スイッチング開始申込', number: '10610' },
      { label: 'スイッチング廃止申込', number: '10710' },
      { label: '需要者・発電者情報変更申込', number: '10810' },
      { label: 'アンペア変更申込', number: '10910' },
    ],
  },
  {
    title: '申込管理',
    entries: [{ label: '申込内容一覧照会・訂正・取消', screen: 'applications' }],
  },
];

/** The interface of a menu number in a family, if the catalogue has it and the hub offers it. */
export function familyInterface(family: InterfaceFamily, number: string): InterfaceDefinition | undefined {
  const def = interfaceById(ifId(family, number));
  return def && isOffered(def) ? def : undefined;
}

/** Where a screen works: the area and the family of the URL, checked. */
export interface AreaScope {
  readonly area: Area;
  readonly slug: FamilySlug;
  readonly family: InterfaceFamily;
  /** `/areas/03/lv` */
  readonly base: string;
}

/** Whether the signed-in participant works in an area: a retailer registered there, or the hub operator. */
export function worksIn(request: FastifyRequest, area: AreaCode): boolean {
  const participant = callerOf(request).participant;
  return participant.kind === 'hub' || participant.areas.includes(area);
}

/** The scope of `/areas/:area/:family/…`; an unknown area or family is not found. */
export function scopeOf(request: FastifyRequest): AreaScope {
  const { area, family } = request.params as { area: string; family: string };
  if (!isAreaCode(area) || !isFamilySlug(family)) throw new Refusal('HTTP_NOT_FOUND');
  return { area: areaOf(area), slug: family, family: familyOfSlug[family], base: `/areas/${area}/${family}` };
}

/** The refusal of a scope the participant does not work in (the same code the interfaces give). */
export function scopeRefusal(request: FastifyRequest, scope: AreaScope): Refusal | undefined {
  if (worksIn(request, scope.area.code)) return undefined;
  return new Refusal('IF_AREA_NOT_REGISTERED', { params: { area: scope.area.name } });
}

/** Answers 403 with IF_AREA_NOT_REGISTERED (and records it) when the user's participant does not work in the area. */
export function refuseOutsideArea(request: FastifyRequest, reply: FastifyReply, scope: AreaScope, title: string): FastifyReply | undefined {
  const refused = scopeRefusal(request, scope);
  if (!refused) return undefined;
  request.audit.result = refused.code;
  return sendHtml(reply, refusalPage(request, title, scope, refused), 403);
}

export function interfaceCall(request: FastifyRequest): InterfaceCall {
  return { caller: callerOf(request), actor: sessionOf(request).actor, requestId: String(request.id), audit: request.audit };
}

export function sendHtml(reply: FastifyReply, markup: Html, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(markup.value);
}

/** トップ › エリア選択 › 東京・低圧託送 › … */
export function crumbs(scope: AreaScope | undefined, ...rest: (Html | string)[]): Html {
  const parts: (Html | string)[] = [html`<a href="/">トップ</a>`, html`<a href="/areas">エリア選択</a>`];
  if (scope) parts.push(html`<a href="${scope.base}">${scope.area.name}エリア・${familyLabels[scope.slug]}</a>`);
  parts.push(...rest);
  return html`<nav class="crumbs" aria-label="現在の位置">${parts.map((p, i) => html`${i > 0 ? html`<span class="sep">›</span>` : null}${p}`)}</nav>`;
}

export function scopeBadge(scope: AreaScope): Html {
  return html`<span class="scope-badge">${scope.area.name}エリア（${scope.area.code}）・${familyLabels[scope.slug]}</span>`;
}

/** A page refusing the scope (not registered in the area) or anything else about the screen as a whole. */
export function refusalPage(request: FastifyRequest, title: string, scope: AreaScope | undefined, refusal: Refusal): Html {
  return page(
    signedIn(request, title),
    html`${crumbs(scope, title)}
    <p class="refusal" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>
    <p><a href="/areas">エリア選択へ戻る</a></p>`,
  );
}

// ---- routes ------------------------------------------------------------------------------------

export function registerAreaScreens(app: FastifyInstance, deps: InterfaceDeps): void {
  app.get('/areas', { config: { action: 'areaSelect' } }, async (request, reply) => {
    const query = queryOf(request);
    return sendHtml(reply, choosePage(request, { family: query.family ?? 'lv', supplyPointId: '' }));
  });

  app.get('/areas/detect', { config: { action: 'areaDetect' } }, async (request, reply) => {
    const query = queryOf(request);
    const slug = isFamilySlug(query.family ?? '') ? (query.family as FamilySlug) : 'lv';
    try {
      const id = parseSupplyPointId(query.supplyPointId ?? '');
      const area = id.slice(0, 2) as AreaCode;
      request.audit.supplyPointIds = [id];
      if (!worksIn(request, area)) throw new Refusal('IF_AREA_NOT_REGISTERED', { field: 'supplyPointId', params: { area: areaOf(area).name } });
      return reply.redirect(`/areas/${area}/${slug}?${new URLSearchParams({ supplyPointId: id })}`, 303);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return sendHtml(
        reply,
        choosePage(request, { family: slug, supplyPointId: query.supplyPointId ?? '' }, error),
        error.code === 'IF_AREA_NOT_REGISTERED' ? 403 : httpStatusOf(error.code),
      );
    }
  });

  app.get('/areas/:area/:family', { config: { action: 'areaMenu' } }, async (request, reply) => {
    const scope = scopeOf(request);
    const outside = refuseOutsideArea(request, reply, scope, 'エリアメインメニュー');
    if (outside) return outside;
    return sendHtml(reply, menuPage(request, scope, queryOf(request).supplyPointId ?? ''));
  });

  const formRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    const scope = scopeOf(request);
    const def = interfaceOf(request, scope);
    const outside = refuseOutsideArea(request, reply, scope, def.name);
    if (outside) return outside;
    if (request.method === 'GET') return showForm(deps, request, reply, scope, def);
    return submitForm(deps, request, reply, scope, def);
  };
  app.get('/areas/:area/:family/if/:interfaceId', { config: { action: 'areaForm' } }, formRoute);
  // A form with documents attached (interfaces/attachments.ts) comes as multipart/form-data.
  app.register(async (scoped) => {
    scoped.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: maxAttachmentRequestBytes },
      async (request: FastifyRequest, body: Buffer) => formDataBody(String(request.headers['content-type'] ?? ''), body),
    );
    scoped.post('/areas/:area/:family/if/:interfaceId', { config: { action: 'areaForm' } }, formRoute);
  });
}

/** The interface of `/if/:interfaceId`: one of the family's lookups, applications or status inquiries that the hub offers. */
function interfaceOf(request: FastifyRequest, scope: AreaScope): InterfaceDefinition {
  const def = interfaceById((request.params as { interfaceId: string }).interfaceId);
  if (!def?.id.startsWith('IF_') || def.kind === 'feed' || !isOffered(def)) throw new Refusal('HTTP_NOT_FOUND');
  if (def.family !== scope.family) throw new Refusal('WEB_FUNCTION_NOT_IN_FAMILY', { params: { family: familyLabels[scope.slug] } });
  return def;
}

// ---- choosing the area -------------------------------------------------------------------------

function choosePage(request: FastifyRequest, form: { family: string; supplyPointId: string }, refusal?: Refusal): Html {
  const participant = callerOf(request).participant;
  const usable = (area: AreaCode) => participant.kind === 'hub' || participant.areas.includes(area);
  const selected = isFamilySlug(form.family) ? form.family : 'lv';
  const fieldRefusal = refusal?.field === 'supplyPointId' ? refusal : undefined;
  const body = html`${crumbs(undefined)}
    ${refusal && !fieldRefusal ? html`<p class="refusal" role="alert"><span class="code">${refusal.code}</span> ${refusal.text}</p>` : null}
    <section class="card area-card">
      <h2>託送区分とエリアを選択</h2>
      <table class="area-choice">
        <thead><tr><th scope="col">託送区分</th>${areas.map((a) => html`<th scope="col">${a.name}<span class="muted">（${a.code}）</span></th>`)}</tr></thead>
        <tbody>${familySlugs.map(
          (slug) =>
            html`<tr class="${slug === selected ? 'selected' : ''}"><th scope="row" id="family-${slug}">${familyLabels[slug]}</th>${areas.map((a) =>
              usable(a.code)
                ? html`<td><a class="area-link" href="/areas/${a.code}/${slug}" aria-label="${a.name}エリア・${familyLabels[slug]}">${a.name}</a></td>`
                : html`<td class="unusable" title="このエリアの事業者として登録されていません">—</td>`,
            )}</tr>`,
        )}</tbody>
      </table>
      <p class="muted">登録されているエリアのみ選択できます（${participant.kind === 'hub' ? '広域機関: 全エリア' : participant.areas.map((a) => areaOf(a).name).join('・') || 'なし'}）。</p>
    </section>
    <form method="get" action="/areas/detect" class="card inline-form area-card">
      <h2>供給地点特定番号からエリアを判定</h2>
      <div class="if-grid">
        <label for="f-supplyPointId">供給地点特定番号</label>
        <div class="if-input"><input type="text" class="w-spid" id="f-supplyPointId" name="supplyPointId" inputmode="numeric" autocomplete="off" maxlength="40" value="${form.supplyPointId}" placeholder="22桁（全角・区切りも可）" ${fieldRefusal ? html`aria-invalid="true"` : null}>
          ${fieldRefusal ? html`<p class="field-error" role="alert"><span class="code">${fieldRefusal.code}</span> ${fieldRefusal.text}</p>` : null}</div>
        <label for="f-family">託送区分</label>
        <div class="if-input"><select id="f-family" name="family">${familySlugs.map((slug) => html`<option value="${slug}"${slug === selected ? html` selected` : null}>${familyLabels[slug]}</option>`)}</select></div>
      </div>
      <p><button type="submit">エリアを判定して進む</button></p>
    </form>`;
  return page(signedIn(request, 'エリア選択'), body);
}

// ---- the area main menu ------------------------------------------------------------------------

function menuPage(request: FastifyRequest, scope: AreaScope, supplyPointId: string): Html {
  const carry = supplyPointId ? `?${new URLSearchParams({ supplyPointId })}` : '';
  const groups = menu
    .map((group) => ({
      title: group.title,
      links: group.entries.flatMap((entry) => {
        if (entry.screen) {
          return [
            html`<a href="${scope.base}/${entry.screen}${entry.screen === 'applications' && supplyPointId ? carry : ''}"><span class="fn">${entry.label}</span><span class="if-id">Web</span></a>`,
          ];
        }
        const def = familyInterface(scope.family, entry.number!);
        if (!def) return [];
        return [html`<a href="${scope.base}/if/${def.id}${carry}"><span class="fn">${entry.label}</span><span class="if-id">${def.id}</span></a>`];
      }),
    }))
    .filter((g) => g.links.length > 0);
  const body = html`${crumbs(scope)}
    <p>${scopeBadge(scope)} ${areaOf(scope.area.code).gridOperatorName}</p>
    ${supplyPointId ? html`<p class="notice">供給地点特定番号 <strong>${supplyPointId}</strong> を各画面に引き継ぎます。</p>` : null}
    <div class="area-menu">${groups.map((g) => html`<section class="card area-card"><h2>${g.title}</h2><nav class="menu">${g.links}</nav></section>`)}</div>
    <p class="muted">他のエリア・託送区分: ${familySlugs.filter((s) => s !== scope.slug).map((s) => html`<a href="/areas/${scope.area.code}/${s}">${scope.area.name}・${familyLabels[s]}</a> `)}<a href="/areas">エリア選択</a></p>`;
  return page(signedIn(request, `エリアメインメニュー（${scope.area.name}・${familyLabels[scope.slug]}）`), body);
}

// ---- the interface forms -----------------------------------------------------------------------

type Mode = 'register' | 'correct' | 'cancel' | 'lookup';

function modeOf(def: InterfaceDefinition, updateFlag: string | undefined): Mode {
  if (!def.request.some((f) => f.id === 'updateFlag')) return 'lookup';
  return updateFlag === '2' ? 'correct' : updateFlag === '3' ? 'cancel' : 'register';
}

const modeTitles: Readonly<Record<Mode, string>> = { register: '', correct: '（訂正）', cancel: '（取消）', lookup: '' };
const modeButtons: Readonly<Record<Mode, string>> = { register: '申し込む', correct: '訂正する', cancel: '取り消す', lookup: '照会する' };

/** The button of a form: an application without an update flag (the usage password application) is applied for, not looked up. */
function buttonOf(def: InterfaceDefinition, mode: Mode): string {
  return mode === 'lookup' && def.kind === 'application' ? '申し込む' : modeButtons[mode];
}

/** The catalogue's at-least-one rules, said once above the fields ("電話番号、住所のいずれか1つ以上"). */
function atLeastOneNote(def: InterfaceDefinition, mode: Mode): Html | null {
  if (mode === 'cancel' || !def.atLeastOneOf?.length) return null;
  return html`${def.atLeastOneOf.map((rule) => html`<p class="muted form-note">${rule.fields.map((id) => def.request.find((f) => f.id === id)?.name ?? id).join('、')}のいずれか1つ以上を入力してください。</p>`)}`;
}

/** A request ID for one showing of a form: a form sent twice files once (the outbox's idempotency). */
function newRequestId(): string {
  return `web-${randomUUID()}`;
}

function today(deps: InterfaceDeps): string {
  return tokyoDate(deps.clock.now());
}

async function showForm(deps: InterfaceDeps, request: FastifyRequest, reply: FastifyReply, scope: AreaScope, def: InterfaceDefinition) {
  const query = queryOf(request);
  const values: Record<string, string> = {};
  const known = new Set(def.request.map((f) => f.id));
  for (const [key, value] of Object.entries(query)) if (known.has(key.split('.')[0]!)) values[key] = value;
  if (def.request.some((f) => f.id === 'requestId') && def.kind === 'application') values.requestId = newRequestId();
  if (def.id.endsWith('10310') && !values.halfHourlyDate) values.halfHourlyDate = addDays(tokyoDate(deps.clock.now()), -1);
  if (def.id.endsWith('10210') && !values.consentDate) values.consentDate = today(deps);
  if (modeOf(def, '1') !== 'lookup') {
    const target = query.correct ?? query.cancel;
    values.updateFlag = query.correct ? '2' : query.cancel ? '3' : '1';
    if (target) {
      const filings = (await selectFilings(deps.db, target)).filter((f) => f.companyCode === callerOf(request).participant.companyCode);
      const latest = filings.findLast((f) => f.updateFlag !== '3');
      if (!latest || latest.interfaceId !== def.id) {
        const refusal = new Refusal('OUTBOX_APPLICATION_NOT_FOUND', { params: { applicationNumber: target } });
        request.audit.result = refusal.code;
        return sendHtml(reply, refusalPage(request, def.name, scope, refusal), 404);
      }
      const stage = await currentStage(deps, request, def, target);
      if (stage && isStageCode(stage.code) && stageOutcomes[stage.code] !== 'inProgress') {
        const refusal = new Refusal('WEB_NOT_CORRECTABLE', { params: { applicationNumber: target, stage: `${stage.code} ${stage.name}` } });
        request.audit.result = refusal.code;
        return sendHtml(reply, refusalPage(request, def.name, scope, refusal), 400);
      }
      const stored = formFromValues(latest.body);
      for (const [key, value] of Object.entries(stored)) if (key !== 'requestId' && key !== 'updateFlag') values[key] = value;
      values.applicationNumber = target;
    }
  }
  return sendHtml(reply, formPage(request, scope, def, values, []));
}

async function currentStage(deps: InterfaceDeps, request: FastifyRequest, def: InterfaceDefinition, applicationNumber: string) {
  const statusDef = interfaceById(def.id.replace(/10$/, '20'));
  if (!statusDef) return undefined;
  const answer = await callInterface(deps, { ...interfaceCall(request), audit: { supplyPointIds: [] } }, statusDef, { applicationNumber });
  const data = answer.data as { stage?: string; stageName?: string } | undefined;
  return answer.result === 'OK' && data?.stage ? { code: data.stage, name: data.stageName ?? '' } : undefined;
}

async function submitForm(deps: InterfaceDeps, request: FastifyRequest, reply: FastifyReply, scope: AreaScope, def: InterfaceDefinition) {
  request.audit.action = def.id;
  const form = formOf(request);
  const body = requestFromForm(def.request, form);
  const validated = validateRequest(def, body);
  const checked = validatedWithAttachments(validated, checkAttachments(def, filesOf(request.body, 'attachment')));
  const response: InterfaceResponse = await answerChecked(deps, interfaceCall(request), def, checked, body);
  const values: Record<string, string> = { ...form };
  delete values._csrf;
  if (response.result === 'NG') {
    request.audit.result = response.messages[0]?.code ?? 'NG';
    // A refused filing is kept by the outbox under its request ID: sending it again needs a new one.
    if (def.kind === 'application' && 'requestId' in values) values.requestId = newRequestId();
    const code = response.messages[0]?.code;
    return sendHtml(reply, formPage(request, scope, def, values, response.messages), code && code in statusCodes ? statusCodes[code]! : 400);
  }
  if (def.kind === 'application') return sendHtml(reply, filedPage(request, scope, def, modeOf(def, values.updateFlag), response));
  return sendHtml(reply, formPage(request, scope, def, values, [], { answer: response, yesterday: addDays(tokyoDate(deps.clock.now()), -1) }));
}

/** HTTP statuses of refusals that are not about the input. */
const statusCodes: Readonly<Record<string, number>> = {
  AUTH_FORBIDDEN: httpStatusOf('AUTH_FORBIDDEN'),
  IF_AREA_NOT_REGISTERED: 403,
  GRID_UNAVAILABLE: 503,
};

function formPage(
  request: FastifyRequest,
  scope: AreaScope,
  def: InterfaceDefinition,
  values: FormFields,
  messages: readonly ReceptionMessage[],
  result?: { readonly answer: InterfaceResponse; readonly yesterday: string },
): Html {
  const session = sessionOf(request);
  const mode = modeOf(def, values.updateFlag);
  const hidden = new Set<string>();
  const readonly = new Set<string>();
  const omit = new Set<string>();
  if (def.kind === 'application') hidden.add('requestId');
  if (mode !== 'lookup') {
    hidden.add('updateFlag');
    if (mode === 'register') omit.add('applicationNumber');
    else readonly.add('applicationNumber').add('supplyPointId');
    if (mode === 'cancel')
      for (const f of def.request) if (!['requestId', 'updateFlag', 'applicationNumber', 'supplyPointId', 'remarks'].includes(f.id)) omit.add(f.id);
  }
  const rendered = renderFields(def.request, values, messages, { hidden, readonly, omit });
  const attaches = attachmentLimitOf(def) > 0 && mode !== 'cancel';
  const title = `${def.name}${modeTitles[mode]}`;
  const body = html`${crumbs(scope, title)}
    <p>${scopeBadge(scope)} <span class="if-id">${def.id}</span></p>
    ${renderMessages(rendered.unplaced, 'refusal')}
    ${mode === 'cancel' ? html`<p class="notice">申込番号 ${values.applicationNumber ?? ''} の申込を取り消します。取り消した申込は元に戻せません。</p>` : null}
    <form method="post" action="${scope.base}/if/${def.id}" class="card if-form" novalidate${attaches ? html` enctype="multipart/form-data"` : null}>
      ${csrfField(session.csrfToken)}
      ${atLeastOneNote(def, mode)}
      ${rendered.fields}
      ${attaches ? attachmentInput(def) : null}
      <p class="actions"><button type="submit">${buttonOf(def, mode)}</button> <a href="${scope.base}">メニューへ戻る</a></p>
    </form>
    ${result ? answerView(request, scope, def, result.answer, result.yesterday) : null}`;
  return page(signedIn(request, title), body);
}

/** The documents a usage password or move-in application may carry (interfaces/attachments.ts). */
function attachmentInput(def: InterfaceDefinition): Html {
  return html`<div class="field attachments">
    <label for="f-attachment">添付ファイル（任意）</label>
    <input type="file" id="f-attachment" name="attachment" multiple accept=".pdf,.jpg,.jpeg,.png,.tif,.tiff,application/pdf,image/jpeg,image/png,image/tiff">
    <p class="muted">本人確認書類・同意書など。PDF・JPEG・PNG・TIFF、${attachmentLimitOf(def)}件まで、1件${maxAttachmentBytes / 1024 / 1024}MB・合計${maxAttachmentsTotalBytes / 1024 / 1024}MBまで。</p>
  </div>`;
}

/** The answer of a lookup or status inquiry, below its form. */
function answerView(request: FastifyRequest, scope: AreaScope, def: InterfaceDefinition, answer: InterfaceResponse, yesterday: string): Html {
  const data = answer.data ?? {};
  const notes = html`${renderMessages(answer.messages, 'notice')}${answer.remarks ? html`<p class="remarks">ご連絡事項: ${answer.remarks}</p>` : null}`;
  if (def.id.endsWith('10310')) return html`<section class="answer" aria-label="照会結果">${notes}${usageView(def, data)}</section>`;
  const next: Html[] = [];
  if (def.kind === 'status' && typeof data.applicationNumber === 'string' && !def.id.endsWith('10220')) {
    next.push(html`<a href="${scope.base}/applications/${data.applicationNumber}">申込の詳細・訂正・取消</a>`);
  }
  const password = typeof data.usagePassword === 'string' ? data.usagePassword : undefined;
  const usageDef = familyInterface(scope.family, '10310');
  return html`<section class="answer card" aria-label="照会結果"><h2>照会結果</h2>${notes}${renderData(def.response, data)}
    ${
      password && usageDef && typeof data.supplyPointId === 'string'
        ? html`<form method="post" action="${scope.base}/if/${usageDef.id}" class="next-step">${csrfField(sessionOf(request).csrfToken)}
          <input type="hidden" name="supplyPointId" value="${data.supplyPointId}"><input type="hidden" name="usagePassword" value="${password}">
          <input type="hidden" name="halfHourlyDate" value="${yesterday}">
          <button type="submit">この使用量照会PWで使用量を照会する</button></form>`
        : null
    }
    ${next.length > 0 ? html`<p class="actions">${next}</p>` : null}</section>`;
}

/** The answer to a filing: the application as accepted, and where to follow it. */
function filedPage(request: FastifyRequest, scope: AreaScope, def: InterfaceDefinition, mode: Mode, answer: InterfaceResponse): Html {
  const data = answer.data ?? {};
  const number = typeof data.applicationNumber === 'string' ? data.applicationNumber : undefined;
  const done = mode === 'correct' ? '訂正を受け付けました' : mode === 'cancel' ? '取消を受け付けました' : '申込を受け付けました';
  const statusDef = interfaceById(def.id.replace(/10$/, '20'));
  const body = html`${crumbs(scope, def.name)}
    <p>${scopeBadge(scope)} <span class="if-id">${def.id}</span></p>
    <p class="notice" role="status">${done}${number ? html`（申込番号 <strong class="application-number">${number}</strong>）` : null}。</p>
    ${renderMessages(answer.messages, 'notice')}
    ${answer.remarks ? html`<p class="remarks">ご連絡事項: ${answer.remarks}</p>` : null}
    <section class="card area-card"><h2>受付内容</h2>${renderData(def.response, data)}</section>
    <p class="actions">
      ${number && def.id.endsWith('10210') && statusDef ? html`<a href="${scope.base}/if/${statusDef.id}?${new URLSearchParams({ applicationNumber: number }).toString()}">受付状態を確認する</a>` : null}
      ${number && !def.id.endsWith('10210') ? html`<a href="${scope.base}/applications/${number}">申込の詳細・受付工程</a> <a href="${scope.base}/applications">申込内容一覧</a>` : null}
      <a href="${scope.base}">メニューへ戻る</a></p>`;
  return page(signedIn(request, `${def.name}${modeTitles[mode]}`), body);
}

// ---- usage info --------------------------------------------------------------------------------

interface UsageMonth {
  month: string;
  from: string;
  to: string;
  kWh?: number;
  withheld?: string;
}

function usageView(def: InterfaceDefinition, data: Readonly<Record<string, unknown>>): Html {
  const headerFields = def.response.filter((f) => !['monthlyUsage', 'halfHourly', 'halfHourlyDate', 'halfHourlyDays'].includes(f.id));
  const rangeDays = (Array.isArray(data.halfHourlyDays) ? data.halfHourlyDays : []) as { date: string; halfHourly: { slot: number; kWh: number }[] }[];
  const kWhText = (n: number) => n.toLocaleString('ja-JP', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
  const monthlyField = def.response.find((f) => f.id === 'monthlyUsage') as GroupField;
  const months = (Array.isArray(data.monthlyUsage) ? data.monthlyUsage : []) as UsageMonth[];
  const slots = (Array.isArray(data.halfHourly) ? data.halfHourly : []) as { slot: number; kWh: number }[];
  const day = typeof data.halfHourlyDate === 'string' ? data.halfHourlyDate : '';
  const point = typeof data.supplyPointId === 'string' ? data.supplyPointId : '';
  const half = Math.ceil(slots.length / 4);
  return html`<section class="card area-card"><h2>照会結果</h2>${renderData(headerFields, data)}</section>
    <section class="card usage-block"><h2>月別使用量（${months.length}か月）</h2>
      <div class="chart-row">${monthlyChart(
        months.map((m) => ({ month: m.month, kWh: m.withheld === '1' || typeof m.kWh !== 'number' ? undefined : m.kWh })),
        { caption: `供給地点 ${point} の月別使用量` },
      )}<div class="chart-table">${rowsTable(monthlyField, months as unknown as Record<string, unknown>[], { caption: '月別使用量（数値）' })}</div></div></section>
    ${
      slots.length > 0
        ? html`<section class="card usage-block"><h2>30分値（${day}）</h2>
        <div class="chart-row">${halfHourlyChart(slots, { caption: `供給地点 ${point} の ${day} の30分値`, date: day })}
        <div class="chart-table"><table class="data-rows half-hourly-table"><caption>30分値（数値、kWh）</caption>
          <thead><tr>${[0, 1, 2, 3].map(() => html`<th>時刻</th><th>kWh</th>`)}</tr></thead>
          <tbody>${Array.from(
            { length: half },
            (_, r) =>
              html`<tr>${[0, 1, 2, 3].map((c) => {
                const s = slots[c * half + r];
                return s
                  ? html`<td>${slotStart(s.slot)}–${slotEnd(s.slot)}</td><td class="num">${s.kWh.toLocaleString('ja-JP', { minimumFractionDigits: 3, maximumFractionDigits: 3 })}</td>`
                  : html`<td></td><td></td>`;
              })}</tr>`,
          )}</tbody></table></div></div></section>`
        : day
          ? html`<p class="muted">${day} の30分値はありません。</p>`
          : null
    }
    ${
      rangeDays.length > 0
        ? html`<section class="card usage-block"><h2>30分値（期間 ${rangeDays.length}日）</h2>
        <table class="data-rows half-hourly-range"><caption>日別の合計と最大30分値（kWh）</caption>
          <thead><tr><th>日付</th><th>日量</th><th>最大30分値</th><th>コマ数</th></tr></thead>
          <tbody>${rangeDays.map((d) => {
            const total = d.halfHourly.reduce((sum, h) => sum + Math.round(h.kWh * 1000), 0) / 1000;
            const max = d.halfHourly.reduce((m, h) => Math.max(m, h.kWh), 0);
            return html`<tr data-date="${d.date}"><td>${d.date}</td><td class="num">${d.halfHourly.length > 0 ? kWhText(total) : ''}</td><td class="num">${d.halfHourly.length > 0 ? kWhText(max) : ''}</td><td class="num">${d.halfHourly.length}</td></tr>`;
          })}</tbody></table></section>`
        : null
    }`;
}
