/**
 * The data provision site of the grids (データ提供サイト, 託送ホームページ; HALFHOURLY.md B1/B8): the
 * half-hourly files, pulled by retailers' systems or downloaded by hand, straight from each area's
 * grid. The hub is not on the data's path: in one process the hub's HTTPS server carries the routes
 * (`/grid/{area}/PPS/…`) as a transport convenience, and `kirikae grid serve` serves the same routes
 * itself; either way the grid decides who may see what, from its own certificate registry.
 *
 * Under `{base}` = `/grid/{area}/PPS`:
 *
 * | route | what |
 * |---|---|
 * | `GET/POST 30min/FileListReceiver` (`.action` too) | the caller's files: `<comment>rfilename1:"…",rfilesize1:"…"</comment>` and an HTML table with links (both public client styles, A4), Shift_JIS; `prefix`, `from`, `to` filter |
 * | `GET 30min/FileReceiver?file=NAME` (`.action` too) | one ZIP: Content-Length, ETag (sha256), Range |
 * | `GET v1/files?kind=&from=&to=&cursor=&limit=` | the JSON twin, cursor-paged without gaps, superseded revisions named |
 * | `GET xsd/{name}` | the published XML Schemas |
 * | `GET ` (the base), `Menu1.action`, `30min/` | the screens in Japanese: menu, and the list with filters, 20 a page, links |
 * | `GET site.css` | the screens' stylesheet (static/site.css: the servers' CSP refuses inline styles), to any certificate the TLS layer lets in, not audited |
 * | `GET/POST register` | the retailer's own screen to register a client certificate of its company (the CLI's `grid pps register` is the operator's) |
 * | `GET test/`, `test/30min/FileListReceiver`, `test/30min/FileReceiver?file=NAME`, `test/report/…` (the CSV reports), `test/v1/files` | verification mode only: the test page (slide 37), a sample file of every kind with dummy data, listed, pulled and downloaded as the real ones (samples.ts) |
 *
 * Refusals: a certificate not registered with this grid, or suspended (here, or at the hub as
 * `credentials` follows it), answers 403 with the system's text (except on `register`, which a not
 * yet registered certificate of the hub CA may use); an unknown name, another retailer's file and a file not yet available (or past
 * retention) all answer the same 404, so existence is never revealed; past the rate limit (when
 * given: `kirikae grid serve`), 429 HTTP_RATE_LIMITED with Retry-After. Every request is audited in
 * the grid's `pps_download`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { areaOf, isAreaCode, type AreaCode } from '../../domain/area.ts';
import { parseIsoDate, type IsoDate } from '../../domain/date.ts';
import { csvReportKinds, parseCsvReportName, parsePpsFileName, ppsKind, ppsKinds, slotStart } from '../../domain/pps-file.ts';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { peerFingerprint } from '../../platform/http/https-server.ts';
import { describeCert, parseCertificate, type CertDescription } from '../../platform/pki/identity.ts';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { log } from '../../platform/log.ts';
import type { Clock } from '../../platform/clock.ts';
import { tableTokenStore } from '../../platform/http/rate-bucket.ts';
import { RateLimiter, type RateLimit } from '../../platform/http/rate-limit.ts';
import type { GridContext } from '../context.ts';
import { defaultProvisionSettings, type ProvisionSettings } from './schedule.ts';
import {
  filesAfter,
  findFile,
  findPpsCertificate,
  listFiles,
  recordSiteAudit,
  registerPpsCertificate,
  type PpsCertificate,
  type PpsFileRow,
} from './site.repository.ts';
import { sectionsOf, w4Points, w4ZipBytes } from './w4-files.ts';
import { publishedXsds as w4Xsds } from './w4-xsd.ts';
import { w5Points, w5SectionsOf, w5ZipBytes } from './w5-files.ts';
import { w5PublishedXsds } from './w5-xsd.ts';
import { reportBytesNow } from './report-schedule.ts';
import { sampleDate, sampleKinds, sampleMadeAt, sampleMakerOf, samplesFor } from './samples.ts';

/** Every schema the site publishes (`PPS/xsd/{name}`). */
const publishedXsds: Readonly<Record<string, string>> = { ...w4Xsds, ...w5PublishedXsds };

export interface ProvisionSiteOptions {
  /** The grids whose sites these routes serve, by area. */
  readonly grids: ReadonlyMap<AreaCode, GridContext>;
  readonly settings?: ProvisionSettings;
  /** The real time certificates are checked against (TLS validity is real time, not the sandbox clock). */
  readonly realNow?: () => Date;
  /** The verification environment: each site also has its test page of sample files (`test/`). */
  readonly verification?: boolean;
  /**
   * The CAs a pasted certificate must be issued by to be registered on the screen (the server's
   * trusted client CAs); without them only the certificate of the connection itself can be.
   */
  readonly trustedCaPems?: readonly string[];
  /**
   * The request rate limit per participant and area, as the hub's (`kirikae grid serve`; in the hub's
   * process its own limit already counts these requests): one token bucket per participant in the
   * area's `pps_rate_bucket`, shared by every process serving the site. `clock` is the real time
   * the buckets refill by (tests pass a manual one).
   */
  readonly rateLimit?: { readonly limit: RateLimit; readonly clock?: Clock };
  /** The hub's suspensions as this process follows them (credential-follower.ts): refused at once, from memory. */
  readonly credentials?: { refuses(fingerprint256: string, participantCode: string): boolean };
}

declare module 'fastify' {
  interface FastifyRequest {
    pps?: { ctx: GridContext; cert?: PpsCertificate; action: string; name?: string; result?: string; bytes?: number; verification?: boolean };
  }
}

/** Rows per page on the screens (B8). */
export const screenPageSize = 20;

const listPaths = ['30min/FileListReceiver', '30min/FileListReceiver.action'];
const filePaths = ['30min/FileReceiver', '30min/FileReceiver.action'];
/** The standard CSV reports (B8/B10): their own list and download, like the BP files'. */
const reportListPaths = ['report/FileListReceiver', 'report/FileListReceiver.action'];
const reportFilePaths = ['report/FileReceiver', 'report/FileReceiver.action'];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function jst(instant: Date): string {
  return new Date(instant.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * Registers the site's routes on `app` under `/grid/:area/PPS/`. Whatever authenticated the TLS
 * connection before (the hub's or the grid server's own hook), these routes check the caller's
 * certificate against the area's own registry.
 */
export function registerProvisionSite(app: FastifyInstance, options: ProvisionSiteOptions): void {
  const settings = options.settings ?? defaultProvisionSettings;
  const realNow = options.realNow ?? (() => new Date());
  const limiters = new Map<AreaCode, RateLimiter>();
  if (options.rateLimit) {
    for (const [area, ctx] of options.grids) {
      limiters.set(area, new RateLimiter(tableTokenStore(ctx.db, ctx.schema, 'pps_rate_bucket'), options.rateLimit.limit, options.rateLimit.clock));
    }
    app.addHook('onClose', async () => {
      await Promise.all([...limiters.values()].map((l) => l.settled()));
    });
  }

  void app.register(
    async (site) => {
      // The site signs its callers in by certificate alone: a host server's web session (the hub's
      // screens) does not apply to these routes.
      site.addHook('onRoute', (route) => {
        route.config = { ...(route.config as object), public: true } as typeof route.config;
      });
      site.addHook('onRequest', async (request, reply) => {
        // The stylesheet: the same bytes for every caller the TLS layer let in (registered or not,
        // so that the registration screen and the refusals are styled too); no audit record.
        if (request.routeOptions.config?.asset) return;
        const area = (request.params as { area?: string }).area ?? '';
        const ctx = isAreaCode(area) ? options.grids.get(area) : undefined;
        if (!ctx) return refuse(request, reply, 404, new Refusal('HTTP_NOT_FOUND'));
        request.pps = {
          ctx,
          action: `${request.method} ${request.routeOptions.url?.replace(/^.*\/PPS\//, 'PPS/') ?? request.url}`,
          verification: options.verification === true,
        };
        const fingerprint = peerFingerprint(request);
        const cert = fingerprint ? await findPpsCertificate(ctx.db, ctx.schema, fingerprint) : undefined;
        // The registration screen lets in a certificate the TLS layer verified (the hub CA's) that is not registered yet.
        const registering = request.routeOptions.url?.endsWith('/PPS/register') === true && fingerprint !== undefined;
        if ((!cert || cert.notAfter < realNow()) && !registering)
          return refuse(request, reply, 403, new Refusal('PPS_CERT_NOT_REGISTERED', { params: { area: areaOf(area).name } }));
        if (cert) request.pps.cert = cert;
        // Suspended here, or at the hub (followed: refused from memory at once, even before it registers here).
        if (cert?.suspendedAt != null || (fingerprint !== undefined && options.credentials?.refuses(fingerprint, cert?.participantCode ?? ''))) {
          return refuse(request, reply, 403, new Refusal('PPS_CERT_SUSPENDED'));
        }
        // Rate limit per participant (a certificate not registered yet: per certificate), after identity.
        const limiter = limiters.get(ctx.area);
        if (limiter) {
          const decision = await limiter.take(cert ? cert.participantCode : `cert:${fingerprint}`);
          if (!decision.allowed) {
            reply.header('retry-after', String(decision.retryAfterSeconds));
            return refuse(request, reply, 429, new Refusal('HTTP_RATE_LIMITED'));
          }
        }
      });
      // The registration form (and a form-posted FileListReceiver) on a server without a form parser of its own.
      if (!site.hasContentTypeParser('application/x-www-form-urlencoded')) {
        site.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
          done(null, Object.fromEntries(new URLSearchParams(String(body))));
        });
      }
      site.addHook('onResponse', async (request, reply) => {
        const pps = request.pps;
        if (!pps) return;
        try {
          await recordSiteAudit(pps.ctx.db, pps.ctx.schema, {
            at: pps.ctx.clock.now(),
            participantCode: pps.cert?.participantCode ?? null,
            fingerprint256: peerFingerprint(request) ?? null,
            action: pps.action,
            name: pps.name ?? null,
            result: pps.result ?? (reply.statusCode < 400 ? 'OK' : `HTTP_${reply.statusCode}`),
            bytes: pps.bytes ?? null,
          });
        } catch (error) {
          log('error', 'pps', `audit of ${pps.action} failed: ${(error as Error).message}`);
        }
      });
      site.setErrorHandler(async (error, request, reply) => {
        if (isRefusal(error)) return refuse(request, reply, 400, error);
        log('error', 'pps', `${request.method} ${request.url} [${request.id}]: ${(error as Error).stack ?? error}`);
        return refuse(request, reply, 500, new Refusal('HTTP_INTERNAL', { params: { requestId: String(request.id) } }));
      });

      const listOf = (family: string) => async (request: FastifyRequest, reply: FastifyReply) => {
        const { ctx, cert } = request.pps!;
        const filter = { ...filterOf(request), family };
        const { files } = await listFiles(ctx.db, ctx.schema, cert!.participantCode, ctx.clock.now(), filter);
        return sendFileList(reply, files);
      };
      for (const [paths, family] of [
        [listPaths, 'W'],
        [reportListPaths, 'STD_'],
      ] as const) {
        for (const path of paths) {
          site.get(path, listOf(family));
          site.post(path, listOf(family));
        }
      }

      const downloadOf = (family: 'W' | 'STD_') => async (request: FastifyRequest, reply: FastifyReply) => {
        const pps = request.pps!;
        const name = String((request.query as { file?: unknown }).file ?? '');
        pps.name = name.slice(0, 64);
        const csv = family === 'STD_';
        const known = csv ? parseCsvReportName(name)?.area === pps.ctx.area : parsePpsFileName(name) !== undefined;
        const file = known ? await findFile(pps.ctx.db, pps.ctx.schema, pps.cert!.participantCode, name, pps.ctx.clock.now()) : undefined;
        if (!file) return refuse(request, reply, 404, new Refusal('PPS_FILE_NOT_FOUND'));
        const bytes =
          file.bytes ??
          (csv ? await regenerateReport(pps.ctx, pps.cert!.participantCode, file) : await regenerate(pps.ctx, pps.cert!.participantCode, file, settings));
        if (!bytes) {
          log('error', 'pps', `area ${pps.ctx.area}: ${name} for ${pps.cert!.participantCode} regenerated to another sha256 than ${file.sha256}`);
          return refuse(request, reply, 500, new Refusal('PPS_FILE_REGENERATION_MISMATCH', { params: { requestId: String(request.id) } }));
        }
        reply
          .type(csv ? 'text/csv; charset=Shift_JIS' : 'application/zip')
          .header('content-disposition', `attachment; filename=${name}`)
          .header('etag', `"${file.sha256}"`)
          .header('accept-ranges', 'bytes')
          .header('cache-control', 'private, max-age=0');
        const range = rangeOf(request.headers.range, bytes.length, request.headers['if-range'], file.sha256);
        if (range === 'unsatisfiable') {
          pps.result = 'HTTP_416';
          return reply.code(416).header('content-range', `bytes */${bytes.length}`).send();
        }
        if (range) {
          pps.bytes = range.end - range.start + 1;
          return reply
            .code(206)
            .header('content-range', `bytes ${range.start}-${range.end}/${bytes.length}`)
            .send(bytes.subarray(range.start, range.end + 1));
        }
        pps.bytes = bytes.length;
        return reply.send(bytes);
      };
      for (const path of filePaths) site.get(path, downloadOf('W'));
      for (const path of reportFilePaths) site.get(path, downloadOf('STD_'));

      site.get('v1/files', async (request, reply) => {
        const { ctx, cert } = request.pps!;
        const query = request.query as Record<string, string | undefined>;
        const cursorText = query.cursor ?? '0';
        if (!/^\d{1,15}$/.test(cursorText)) throw new Refusal('PPS_CURSOR_INVALID', { field: 'cursor' });
        const limit = query.limit === undefined ? 1000 : Number(query.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw new Refusal('PPS_FILTER_INVALID', { field: 'limit', params: { field: 'limit' } });
        if (query.kind !== undefined && !ppsKind(query.kind)) throw new Refusal('PPS_FILTER_INVALID', { field: 'kind', params: { field: 'kind' } });
        const filter = { ...(query.kind ? { kind: query.kind } : {}), ...dateFilter(query) };
        const page = await filesAfter(ctx.db, ctx.schema, cert!.participantCode, ctx.clock.now(), Number(cursorText), limit, filter);
        return reply.header('cache-control', 'no-store').send({
          files: page.files.map((f) => ({
            name: f.name,
            kind: f.kind,
            infoCode: ppsKind(f.kind)?.infoCode ?? f.kind.slice(2),
            target: f.targetDate,
            slot: f.slot,
            revision: f.revision,
            section: f.section,
            sections: f.sections,
            points: f.points,
            size: f.size,
            sha256: f.sha256,
            availableAt: f.availableAt.toISOString(),
            deadlineAt: f.deadlineAt.toISOString(),
            ...(f.supersededBy ? { supersededBy: f.supersededBy } : {}),
          })),
          nextCursor: String(page.nextCursor),
        });
      });

      site.get('xsd/:name', async (request, reply) => {
        const name = (request.params as { name: string }).name;
        const xsd = Object.hasOwn(publishedXsds, name) ? publishedXsds[name] : undefined;
        if (!xsd) return refuse(request, reply, 404, new Refusal('PPS_FILE_NOT_FOUND'));
        return reply.type('application/xml; charset=utf-8').send(xsd);
      });

      const menu = async (request: FastifyRequest, reply: FastifyReply) => {
        const { ctx, cert } = request.pps!;
        return reply.type('text/html; charset=utf-8').send(
          screen(
            ctx.area,
            '３０分電力量提供システム',
            `<p>${escapeHtml(cert!.participantCode)} 様</p>
<ul class="menu"><li><a href="${base(ctx.area)}30min/">30分電力量および日毎30分電力量</a></li>
<li><a href="${base(ctx.area)}30min/?prefix=W5">確定使用量（月間確定使用量・計量器取替・臨時検針他）</a></li>
<li><a href="${base(ctx.area)}report/">統一化帳票（CSV）</a></li>
<li><a href="${base(ctx.area)}register">クライアント証明書の登録</a></li>${
              options.verification ? `<li><a href="${base(ctx.area)}test/">テストページ（検証環境: サンプルファイル）</a></li>` : ''
            }</ul>
<h2>仕様</h2>
<ul><li>自動取得（PULL）: <code>${base(ctx.area)}30min/FileListReceiver</code>、<code>${base(ctx.area)}30min/FileReceiver?file=ファイル名</code>（.action 形式も可）</li>
<li>統一化帳票（CSV、Shift_JIS・CRLF）: <code>${base(ctx.area)}report/FileListReceiver</code>、<code>${base(ctx.area)}report/FileReceiver?file=ファイル名</code></li>
<li>JSON: <code>${base(ctx.area)}v1/files</code></li>
<li>XMLの文字コード: ${settings.encoding}（改行 CRLF）。ZIPの中身はXMLファイル1つ（ファイル名.xml）</li>
<li>XMLスキーマ: ${Object.keys(publishedXsds)
              .map((n) => `<a href="${base(ctx.area)}xsd/${n}">${n}</a>`)
              .join('、')}</li></ul>`,
            options.verification,
          ),
        );
      };
      site.get('site.css', { config: { asset: true } }, async (_request, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(siteStylesheet),
      );
      site.get('', menu);
      site.get('Menu1.action', menu);

      site.get('register', async (request, reply) => registerScreen(request, reply, {}));
      site.post('register', async (request, reply) => {
        const pps = request.pps!;
        const form = (request.body ?? {}) as Record<string, unknown>;
        const fields = { participant: formField(form.participant), certPem: formField(form.certPem) };
        try {
          // A form posted from another site with the browser's certificate is not the retailer's doing.
          const origin = request.headers.origin;
          if (origin !== undefined && origin !== 'null' && new URL(origin).host !== request.headers.host) throw new Refusal('PPS_REGISTER_CROSS_SITE');
          if (origin === 'null') throw new Refusal('PPS_REGISTER_CROSS_SITE');
          const caller = peerCertificate(request);
          if (!caller?.participantCode) throw new Refusal('AUTH_CERT_NOT_CLIENT', { field: 'cert' });
          const participant = fields.participant.trim().toUpperCase();
          if (!/^[A-Z0-9]{5}$/.test(participant)) throw new Refusal('PCODE_FORMAT', { field: 'participant' });
          // Only a certificate of the caller's own company (the one presented proves it holds the key).
          if (caller.participantCode !== participant.slice(0, 4) && caller.participantCode !== participant)
            throw new Refusal('PPS_REGISTER_OTHER_COMPANY', { field: 'participant', params: { bound: caller.participantCode, participant } });
          const pasted = fields.certPem.trim();
          const pem = pasted === '' ? caller.pem : pasted;
          if (pasted !== '') checkIssuedByTrusted(pasted, options.trustedCaPems ?? []);
          const registered = await registerPpsCertificate(pps.ctx.db, pps.ctx.schema, pps.ctx.area, { pem, participantCode: participant }, realNow(), {
            refuseRegistered: true,
          });
          pps.name = registered.fingerprint256.slice(0, 64);
          return registerScreen(request, reply, { registered });
        } catch (error) {
          if (!isRefusal(error)) throw error;
          pps.result = error.code;
          return registerScreen(request, reply.code(400), { refusal: error, fields });
        }
      });

      site.get('30min/', async (request, reply) => {
        const { ctx } = request.pps!;
        const { query, refusal, files, count, pager } = await screenList(request, 'W');
        const kindOptions = ppsKinds
          .map((k) => `<option value="${k.code}"${query.prefix === k.code ? ' selected' : ''}>${escapeHtml(k.title)}（${k.code}）</option>`)
          .join('');
        const body = `<form method="get" class="filters">
<label>種類 <select name="prefix"><option value="">すべて</option>${kindOptions}</select></label>
<label>対象日（から） <input type="date" name="from" value="${escapeHtml(query.from ?? '')}"></label>
<label>対象日（まで） <input type="date" name="to" value="${escapeHtml(query.to ?? '')}"></label>
<button type="submit">絞り込む</button></form>
${refusal ? `<p class="error" role="alert">${escapeHtml(refusal.text)}</p>` : ''}
<p>${count}</p>
<table><thead><tr><th>ファイル名</th><th>種類</th><th>対象日</th><th>時刻</th><th>更新番号</th><th>分割番号</th><th>地点数</th><th>サイズ</th><th>提供日時</th></tr></thead><tbody>
${files.map((f) => fileRow(f)).join('\n')}
</tbody></table>
${pager}`;
        const title = query.prefix?.startsWith('W5') ? '確定使用量（月間確定使用量・計量器取替・臨時検針他）' : '30分電力量および日毎30分電力量';
        return reply.type('text/html; charset=utf-8').send(screen(ctx.area, title, body, options.verification));
      });

      // The CSV reports' screen (manual download is their official path, slide 37).
      site.get('report/', async (request, reply) => {
        const { ctx } = request.pps!;
        const { query, refusal, files, count, pager } = await screenList(request, 'STD_');
        // The kind and the area as the prefix: STD_GENSHIWAKE_03 does not take in STD_GENSHIWAKE_G_03_….
        const kindOptions = csvReportKinds
          .map((k) => `${k.code}_${ctx.area}`)
          .map((prefix, i) => `<option value="${prefix}"${query.prefix === prefix ? ' selected' : ''}>${escapeHtml(csvReportKinds[i]!.title)}</option>`)
          .join('');
        const body = `<form method="get" class="filters">
<label>帳票 <select name="prefix"><option value="">すべて</option>${kindOptions}</select></label>
<label>検針日（から） <input type="date" name="from" value="${escapeHtml(query.from ?? '')}"></label>
<label>検針日（まで） <input type="date" name="to" value="${escapeHtml(query.to ?? '')}"></label>
<button type="submit">絞り込む</button></form>
${refusal ? `<p class="error" role="alert">${escapeHtml(refusal.text)}</p>` : ''}
<p>${count}</p>
<table><thead><tr><th>ファイル名</th><th>帳票</th><th>検針日</th><th>更新番号</th><th>地点数</th><th>サイズ</th><th>提供日時</th><th>期限</th></tr></thead><tbody>
${files
  .map(
    (f) =>
      `<tr><td><a href="FileReceiver?file=${f.name}" download>${f.name}</a></td><td>${escapeHtml(ppsKind(f.kind)?.title ?? f.kind)}</td><td>${f.targetDate}</td><td>${String(f.revision).padStart(2, '0')}</td><td>${f.points}</td><td>${f.size.toLocaleString('ja-JP')}</td><td>${jst(f.availableAt)}</td><td>${jst(f.deadlineAt)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
${pager}`;
        return reply.type('text/html; charset=utf-8').send(screen(ctx.area, '統一化帳票（CSV）', body, options.verification));
      });
      if (options.verification) registerTestPage(site, settings);
    },
    { prefix: '/grid/:area/PPS/' },
  );
}

/**
 * One page of a list screen (`family`: the BP files under 30min/, the CSV reports under report/): the
 * filters (a refused one shown in words, the list then unfiltered), 20 files a page, the count (capped
 * at `listCountCap`: then the pages go on while they are full) and the pager.
 */
async function screenList(request: FastifyRequest, family: 'W' | 'STD_') {
  const { ctx, cert } = request.pps!;
  const query = request.query as Record<string, string | undefined>;
  let refusal: Refusal | undefined;
  let filter: ReturnType<typeof filterOf> = {};
  try {
    filter = filterOf(request);
  } catch (error) {
    if (!isRefusal(error)) throw error;
    refusal = error;
  }
  const pageNo = Math.max(1, Math.min(100_000, Number.parseInt(query.page ?? '1', 10) || 1));
  const { files, total, capped } = await listFiles(
    ctx.db,
    ctx.schema,
    cert!.participantCode,
    ctx.clock.now(),
    { ...filter, family },
    {
      limit: screenPageSize,
      offset: (pageNo - 1) * screenPageSize,
    },
  );
  const pages = Math.max(1, Math.ceil(total / screenPageSize));
  const keep = (page: number) =>
    `?${new URLSearchParams({ ...(query.prefix ? { prefix: query.prefix } : {}), ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}), page: String(page) })}`;
  const count = capped ? `${total.toLocaleString('ja-JP')}件以上（${pageNo}ページ目）` : `${total}件（${pageNo}／${pages}ページ）`;
  const hasNext = capped ? files.length === screenPageSize : pageNo < pages;
  const pager = `<nav class="pager">${pageNo > 1 ? `<a href="${keep(pageNo - 1)}" rel="prev">前へ</a>` : ''} ${hasNext ? `<a href="${keep(pageNo + 1)}" rel="next">次へ</a>` : ''}</nav>`;
  return { query, refusal, files, count, pager };
}

/**
 * The test page of the verification environment (slide 37): a sample file of every kind there is
 * (samples.ts), dummy data made the same every time, never refreshed. Under `test/` the site's own
 * paths (`test/30min/FileListReceiver`, `test/30min/FileReceiver`, `test/v1/files`), so a
 * retailer's client given `{base}test/` as its base pulls the samples unchanged, and the screen
 * (`test/`) downloads them by hand: both ways of fetching (自動取込・手動取込) checked before going live.
 */
function registerTestPage(site: FastifyInstance, settings: ProvisionSettings): void {
  const samples = (request: FastifyRequest) => {
    const { ctx, cert } = request.pps!;
    return samplesFor({ area: ctx.area, receiverCode: cert!.participantCode, settings });
  };
  // As on the real site: the BP files under 30min/, the CSV reports under report/.
  const inFolder = (folder: '30min' | 'report', name: string) => (folder === 'report') === name.startsWith('STD_');
  const list = (folder: '30min' | 'report') => async (request: FastifyRequest, reply: FastifyReply) => {
    const filter = filterOf(request);
    const files = (await samples(request))
      .filter(({ file }) => inFolder(folder, file.name) && (!filter.prefix || file.name.startsWith(filter.prefix)))
      .map(({ file }) => ({ name: file.name, size: file.bytes.length, availableAt: sampleMadeAt }));
    return sendFileList(reply, files);
  };
  for (const folder of ['30min', 'report'] as const) {
    for (const path of [`test/${folder}/FileListReceiver`, `test/${folder}/FileListReceiver.action`]) {
      site.get(path, list(folder));
      site.post(path, list(folder));
    }
  }
  const download = async (request: FastifyRequest, reply: FastifyReply) => {
    const pps = request.pps!;
    const name = String((request.query as { file?: unknown }).file ?? '');
    pps.name = name.slice(0, 64);
    const sample = (await samples(request)).find(({ file }) => file.name === name);
    if (!sample) return refuse(request, reply, 404, new Refusal('PPS_FILE_NOT_FOUND'));
    pps.bytes = sample.file.bytes.length;
    return reply
      .type(sample.file.contentType)
      .header('content-disposition', `attachment; filename=${name}`)
      .header('etag', `"${sha256Of(sample.file.bytes)}"`)
      .header('cache-control', 'private, max-age=0')
      .send(sample.file.bytes);
  };
  for (const path of ['test/30min/FileReceiver', 'test/30min/FileReceiver.action', 'test/report/FileReceiver', 'test/report/FileReceiver.action'])
    site.get(path, download);

  // The JSON twin: every sample in one page (the cursor is the number of samples already given).
  site.get('test/v1/files', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const cursorText = query.cursor ?? '0';
    if (!/^\d{1,15}$/.test(cursorText)) throw new Refusal('PPS_CURSOR_INVALID', { field: 'cursor' });
    if (query.kind !== undefined && !sampleKinds.some((k) => k.code === query.kind))
      throw new Refusal('PPS_FILTER_INVALID', { field: 'kind', params: { field: 'kind' } });
    const all = await samples(request);
    const files = all.slice(Number(cursorText)).filter(({ kind }) => query.kind === undefined || kind.code === query.kind);
    return reply.header('cache-control', 'no-store').send({
      files: files.map(({ kind, file }) => {
        const parsed = parsePpsFileName(file.name);
        const report = parsed ? undefined : parseCsvReportName(file.name);
        return {
          name: file.name,
          kind: kind.code,
          format: kind.format,
          ...(parsed ? { infoCode: parsed.kind.infoCode, target: parsed.date, slot: parsed.slot, revision: parsed.revision, section: parsed.section } : {}),
          ...(report ? { infoCode: report.kind.infoCode, target: report.date, slot: null, revision: report.revision, section: 0 } : {}),
          sections: 1,
          points: file.points ?? 0,
          size: file.bytes.length,
          sha256: sha256Of(file.bytes),
          availableAt: sampleMadeAt.toISOString(),
          deadlineAt: sampleMadeAt.toISOString(),
        };
      }),
      nextCursor: String(Math.max(all.length, Number(cursorText))),
      withoutSample: sampleKinds.filter((k) => !sampleMakerOf(k.code)).map((k) => k.code),
    });
  });

  site.get('test/', async (request, reply) => {
    const { ctx } = request.pps!;
    const made = new Map((await samples(request)).map(({ kind, file }) => [kind.code, file]));
    const formats = { W4: '30分電力量提供BP', W5: '確定使用量通知BP', CSV: '標準化帳票' } as const;
    const rows = sampleKinds
      .map((kind) => {
        const file = made.get(kind.code);
        const cells = file
          ? `<td><a href="${kind.format === 'CSV' ? 'report' : '30min'}/FileReceiver?file=${file.name}" download>${file.name}</a></td><td>${file.bytes.length.toLocaleString('ja-JP')}</td>`
          : '<td colspan="2" class="none">サンプルなし</td>';
        return `<tr data-kind="${kind.code}"><td>${formats[kind.format]}</td><td>${escapeHtml(kind.title)}（${kind.code}）</td>${cells}</tr>`;
      })
      .join('\n');
    const test = `${base(ctx.area)}test/`;
    const body = `<p class="verification">検証環境のテストページです。ファイルの内容はダミーデータで、30分ごとの更新は行いません（対象日 ${sampleDate}）。</p>
<p>自動取込の確認: 接続先を <code>${test}</code> として <code>30min/FileListReceiver</code>、<code>30min/FileReceiver?file=ファイル名</code>、JSON <code>v1/files</code>（本番と同じパス）。手動取込の確認は下の一覧から。</p>
<table><thead><tr><th>区分</th><th>種類</th><th>ファイル名</th><th>サイズ</th></tr></thead><tbody>
${rows}
</tbody></table>`;
    return reply.type('text/html; charset=utf-8').send(screen(ctx.area, 'テストページ（受信可能ファイル一覧）', body, true));
  });
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The pull list (A4): `<comment>rfilename1:"…",rfilesize1:"…"</comment>` and an HTML table with links, Shift_JIS. */
function sendFileList(reply: FastifyReply, files: readonly { name: string; size: number; availableAt: Date }[]): FastifyReply {
  const pairs = files.map((f, i) => `rfilename${i + 1}:"${f.name}",rfilesize${i + 1}:"${f.size}"`).join(',');
  const rows = files
    .map((f) => `<tr><td><a href="FileReceiver?file=${f.name}">${f.name}</a></td><td>${f.size}</td><td>${jst(f.availableAt)}</td></tr>`)
    .join('\r\n');
  const page = `<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>受信可能ファイル一覧</title></head><body>\r\n<comment>${pairs}</comment>\r\n<table>\r\n<tr><th>ファイル名</th><th>サイズ</th><th>提供日時</th></tr>\r\n${rows}\r\n</table>\r\n</body></html>\r\n`;
  return reply.type('text/html; charset=Shift_JIS').header('cache-control', 'no-store').send(iconv.encode(page, 'Shift_JIS'));
}

function formField(value: unknown): string {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.slice(0, 20_000) : '';
}

/** The certificate of this connection (verified by the TLS layer), as PEM and described. */
function peerCertificate(request: FastifyRequest): (CertDescription & { pem: string }) | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined;
  const raw = socket.getPeerCertificate(false)?.raw;
  if (!raw) return undefined;
  const x509 = new X509Certificate(raw);
  return { ...describeCert(x509), pem: x509.toString() };
}

/** A pasted certificate must be issued (and signed) by one of the CAs this server trusts. */
function checkIssuedByTrusted(pem: string, caPems: readonly string[]): void {
  const cert = parseCertificate(pem);
  for (const caPem of caPems) {
    let ca: X509Certificate;
    try {
      ca = new X509Certificate(caPem);
    } catch {
      continue;
    }
    if (cert.checkIssued(ca) && cert.verify(ca.publicKey)) return;
  }
  throw new Refusal('PPS_CERT_UNTRUSTED', { field: 'certPem' });
}

/** The registration screen: the form, or what was registered, or the refusal with the fields kept. */
function registerScreen(
  request: FastifyRequest,
  reply: FastifyReply,
  state: { registered?: PpsCertificate; refusal?: Refusal; fields?: { participant: string; certPem: string } },
): FastifyReply {
  const { ctx } = request.pps!;
  const caller = peerCertificate(request);
  const done = state.registered
    ? `<p class="notice" role="status" data-fingerprint="${state.registered.fingerprint256}">登録しました。事業者 ${escapeHtml(state.registered.participantCode)}、用途 ${state.registered.usage}、有効期限 ${jst(state.registered.notAfter)}、フィンガープリント（SHA-256） <code>${state.registered.fingerprint256}</code></p>`
    : '';
  const error = state.refusal ? `<p class="error" role="alert" data-code="${state.refusal.code}">${escapeHtml(state.refusal.text)}</p>` : '';
  const body = `<p>${escapeHtml(areaOf(ctx.area).name)}エリアのデータ提供サイトに、貴社のクライアント証明書（広域機関の認証局が発行したもの）を登録します。登録した証明書で30分電力量ファイルの一覧・取得（PULL と画面）ができます。</p>
<p>お使いの証明書: ${caller ? `${escapeHtml(caller.subject.O ?? '')} / ${escapeHtml(caller.subject.OU ?? '')}${request.pps!.cert ? '（登録済み）' : '（未登録）'}` : '不明'}</p>
${done}${error}
<form method="post" action="${base(ctx.area)}register" class="register">
<p><label>事業者コード（5桁） <input name="participant" required maxlength="5" pattern="[A-Za-z0-9]{5}" value="${escapeHtml(state.fields?.participant ?? '')}"></label></p>
<p><label>証明書（PEM）<br><textarea name="certPem" rows="12" cols="70" placeholder="-----BEGIN CERTIFICATE-----">${escapeHtml(state.fields?.certPem ?? '')}</textarea></label><br>
<small>空欄のときは、いまお使いの証明書を登録します。自社の別の証明書（例: PULL 用の api 証明書）を登録するときは、その PEM を貼り付けてください。</small></p>
<button type="submit">登録する</button></form>`;
  return reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(screen(ctx.area, 'クライアント証明書の登録', body, request.pps!.verification));
}

/** The site's stylesheet (static/site.css), read once. */
const siteStylesheet = readFileSync(new URL('./static/site.css', import.meta.url), 'utf8');

function base(area: AreaCode): string {
  return `/grid/${area}/PPS/`;
}

function fileRow(f: PpsFileRow): string {
  const kind = ppsKind(f.kind);
  return `<tr><td><a href="FileReceiver?file=${f.name}" download>${f.name}</a></td><td>${escapeHtml(kind?.title ?? f.kind)}</td><td>${f.targetDate}</td><td>${f.slot === null ? (f.kind.startsWith('W5') ? '－' : '終日') : `${slotStart(f.slot).slice(0, 2)}:${slotStart(f.slot).slice(2)}`}</td><td>${String(f.revision).padStart(2, '0')}</td><td>${f.section}</td><td>${f.points}</td><td>${f.size.toLocaleString('ja-JP')}</td><td>${jst(f.availableAt)}</td></tr>`;
}

/** The banner of every screen of the site in the verification environment (as the hub's screens have theirs). */
const verificationBanner = '<div class="env-banner" role="note"><strong>検証環境</strong> — 検証環境のデータ提供サイトです。本番のデータではありません。</div>';

function screen(area: AreaCode, title: string, body: string, verification = false): string {
  const name = areaOf(area).gridOperatorName;
  return `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(title)} - ${escapeHtml(name)} データ提供サイト</title>
<link rel="stylesheet" href="${base(area)}site.css"></head>
<body>${verification ? verificationBanner : ''}<header><p>${escapeHtml(name)} 託送関連データ提供サイト</p><nav><a href="${base(area)}">メニュー</a></nav></header><main><h1>${escapeHtml(title)}</h1>
${body}</main></body></html>`;
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, refusal: Refusal): FastifyReply {
  if (request.pps) request.pps.result = refusal.code;
  const json = /\/PPS\/(test\/)?v1\//.test(request.url);
  if (json)
    return reply
      .code(status)
      .type('application/json; charset=utf-8')
      .send({ result: 'NG', messages: [refusal.toDetail()] });
  // An unregistered certificate is shown the way to register it.
  const next =
    refusal.code === 'PPS_CERT_NOT_REGISTERED' && request.pps ? `<p><a href="${base(request.pps.ctx.area)}register">クライアント証明書の登録</a></p>` : '';
  const area = (request.params as { area?: string }).area ?? '';
  const style = isAreaCode(area) ? `<link rel="stylesheet" href="${base(area)}site.css">` : '';
  const page = `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>エラー</title>${style}</head><body><main><p class="error" data-code="${refusal.code}">${escapeHtml(refusal.text)}</p>${next}</main></body></html>`;
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

function dateFilter(query: Record<string, string | undefined>): { from?: IsoDate; to?: IsoDate } {
  const out: { from?: IsoDate; to?: IsoDate } = {};
  for (const key of ['from', 'to'] as const) {
    const value = query[key];
    if (value === undefined || value === '') continue;
    const text = /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}` : value;
    try {
      out[key] = parseIsoDate(text, key);
    } catch {
      throw new Refusal('PPS_FILTER_INVALID', { field: key, params: { field: key } });
    }
  }
  return out;
}

function filterOf(request: FastifyRequest): { prefix?: string; from?: IsoDate; to?: IsoDate } {
  const query = { ...(request.query as Record<string, string | undefined>), ...((request.body as Record<string, string | undefined> | undefined) ?? {}) };
  const prefix = query.prefix;
  if (prefix !== undefined && prefix !== '' && !/^(W[45]\d{0,20}|STD_[A-Z0-9_]{0,40})$/.test(prefix))
    throw new Refusal('PPS_FILTER_INVALID', { field: 'prefix', params: { field: 'prefix' } });
  return { ...(prefix ? { prefix } : {}), ...dateFilter(query) };
}

/** One `bytes=a-b` range (a resumed download), or undefined for the whole file. */
function rangeOf(
  header: string | undefined,
  size: number,
  ifRange: string | string[] | undefined,
  sha256: string,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  if (typeof ifRange === 'string' && ifRange !== `"${sha256}"`) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

/** An evicted file, made again from its recorded inputs; undefined when it does not come out the same. */
async function regenerate(ctx: GridContext, receiverCode: string, file: PpsFileRow, settings: ProvisionSettings): Promise<Buffer | undefined> {
  const parsed = parsePpsFileName(file.name)!;
  if (parsed.kind.bp === 'W5') {
    const points = await w5Points(ctx.db, ctx.schema, ctx.area, parsed.kind, parsed.date, receiverCode);
    const section = w5SectionsOf(parsed.kind, ctx.area, receiverCode, parsed.date, points)[parsed.section];
    if (!section || section.sections !== file.sections) return undefined;
    const { bytes, sha256 } = await w5ZipBytes(section, file.revision, file.availableAt, settings);
    return sha256 === file.sha256 ? bytes : undefined;
  }
  const points = await w4Points(ctx.db, ctx.schema, parsed.kind.voltage, parsed.date, receiverCode);
  const section = sectionsOf(parsed.kind, ctx.area, receiverCode, parsed.date, parsed.slot, points)[parsed.section];
  if (!section || section.sections !== file.sections) return undefined;
  const { bytes, sha256 } = await w4ZipBytes(section, file.revision, file.availableAt, settings);
  return sha256 === file.sha256 ? bytes : undefined;
}

/** An evicted CSV report, made again from the registry; undefined when it does not come out the same. */
async function regenerateReport(ctx: GridContext, receiverCode: string, file: PpsFileRow): Promise<Buffer | undefined> {
  const parsed = parseCsvReportName(file.name)!;
  const { bytes, sha256 } = await reportBytesNow(ctx, parsed.kind, parsed.date, receiverCode);
  return sha256 === file.sha256 ? bytes : undefined;
}
