/**
 * The API repository (APIリポジトリ, slide 22): every interface of the catalogue, with its request and
 * response fields, and the machine-readable descriptions generated from the same definitions.
 */
import type { FastifyInstance } from 'fastify';
import { interfaceById, interfaces } from '../../interfaces/catalogue/catalogue.ts';
import type { Field } from '../../interfaces/catalogue/types.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { html, type Html } from '../html.ts';
import { page } from '../layout.ts';
import { signedIn } from './page-user.ts';

const familyLabels: Record<string, string> = { LV: '低圧', HV: '高圧', FIT: '低圧FIT' };
const directionLabels: Record<string, string> = { grid: '一般送配電事業者', hub: 'スイッチング支援システム' };

export function registerApiRepositoryScreens(app: FastifyInstance, _deps: HubDeps): void {
  app.get('/interfaces', { config: { action: 'apiRepository' } }, async (request, reply) => {
    const rows = interfaces.map(
      (i) => html`<tr><td><a href="/interfaces/${i.id}">${i.id}</a></td><td>${i.name}</td><td>${familyLabels[i.family] ?? i.family}</td>
        <td>${directionLabels[i.direction] ?? i.direction}</td><td><code>POST /api/v1/${i.id}</code><br><code>POST /soap/${i.id}</code></td></tr>`,
    );
    const body = html`
      <p class="card">機械可読な定義: <a href="/api/v1/openapi.json">OpenAPI 3.1（JSON）</a> ／ <a href="/soap?wsdl">WSDL 1.1（SOAP、XSDを含む）</a>。
        どちらも下の一覧と同じ定義から生成されています。API用のクライアント証明書で接続してください。</p>
      <table><thead><tr><th>インタフェースID</th><th>名称</th><th>対象</th><th>応答者</th><th>エンドポイント</th></tr></thead><tbody>${rows}</tbody></table>`;
    return reply.type('text/html; charset=utf-8').send(page(signedIn(request, 'APIリポジトリ'), body).value);
  });

  app.get('/interfaces/:id', { config: { action: 'apiRepository' } }, async (request, reply) => {
    const def = interfaceById((request.params as { id: string }).id);
    if (!def) return reply.callNotFound();
    const body = html`
      <p>${def.englishName}${def.description ? html` — ${def.description}` : null}</p>
      <h2>要求項目</h2>${fieldTable(def.request)}
      <h2>応答項目（data）</h2>${fieldTable(def.response)}
      <p><a href="/interfaces">一覧へ戻る</a></p>`;
    return reply.type('text/html; charset=utf-8').send(page(signedIn(request, `${def.id} ${def.name}`), body).value);
  });
}

function fieldTable(fields: readonly Field[]): Html {
  return html`<table><thead><tr><th>項目ID</th><th>項目名</th><th>型</th><th>必須</th><th>説明</th></tr></thead><tbody>${rows(fields, '')}</tbody></table>`;
}

function rows(fields: readonly Field[], prefix: string): Html[] {
  return fields.flatMap((f) => [
    html`<tr><td><code>${prefix}${f.id}</code></td><td>${f.name}</td><td>${f.type}${'maxLength' in f ? html`(${String(f.maxLength)})` : null}</td>
      <td>${f.required ? '○' : ''}</td><td>${f.description ?? ''}</td></tr>`,
    ...(f.type === 'group' ? rows(f.fields, `${prefix}${f.id}.`) : []),
  ]);
}
