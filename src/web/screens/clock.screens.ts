/**
 * 時計（サンドボックス）: the hub administrator moves the sandbox clock forward from the web, with
 * the same checks and codes as `POST /api/v1/admin/clock` and `kirikae clock advance`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import { advanceClock, clockStatus, formatDuration, type ClockAdvanced } from '../../hub/clock/clock.commands.ts';
import type { HubDeps } from '../../hub/http/hub-deps.ts';
import { sessionOf } from '../../hub/http/context.ts';
import { httpStatusOf } from '../../hub/http/respond.ts';
import { authorize } from '../../hub/policy.ts';
import { csrfField, formOf, type FormFields } from '../form.ts';
import { html, type Html } from '../html.ts';
import { fieldError, formError, page } from '../layout.ts';
import { jst } from '../labels.ts';
import { signedIn } from './page-user.ts';

export function registerClockScreens(app: FastifyInstance, { db, clockControl }: HubDeps): void {
  const send = (reply: FastifyReply, markup: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(markup.value);

  app.get('/admin/clock', { config: { action: 'clockShow' } }, async (request, reply) => {
    authorize(sessionOf(request).actor, 'clock.advance');
    return send(reply, clockPage(request, deps(), {}));
  });

  app.post('/admin/clock', { config: { action: 'clockAdvance' } }, async (request, reply) => {
    const actor = sessionOf(request).actor;
    const form = formOf(request);
    try {
      if (!clockControl) {
        authorize(actor, 'clock.advance');
        throw new Refusal('CLOCK_NOT_MOVABLE');
      }
      const advanced = await advanceClock(db, clockControl, actor, { advance: form.advance, to: form.to });
      return send(reply, clockPage(request, deps(), {}, undefined, advanced));
    } catch (error) {
      if (!isRefusal(error)) throw error;
      request.audit.result = error.code;
      return send(reply, clockPage(request, deps(), form, error), httpStatusOf(error.code));
    }
  });

  function deps() {
    return clockControl ? clockStatus(clockControl.clock) : undefined;
  }
}

function clockPage(
  request: FastifyRequest,
  status: ReturnType<typeof clockStatus> | undefined,
  form: FormFields,
  refusal?: Refusal,
  advanced?: ClockAdvanced,
): Html {
  const session = sessionOf(request);
  const movable = status?.movable ?? false;
  return page(
    signedIn(request, '時計（サンドボックス）'),
    html`${advanced ? html`<p class="notice">時計を ${formatDuration(advanced.advancedMs)} 進めました（${jst(advanced.from)} → ${jst(advanced.to)}）。期日を迎えた処理（マッチング・再開日の処理・未送達の再送）をただちに実行します。</p>` : null}
    <dl class="card">
      <dt>モード</dt><dd>${status?.mode === 'production' ? '本番（実時刻）' : status ? 'サンドボックス' : '—'}</dd>
      <dt>システム時刻</dt><dd>${status ? jst(status.now) : '—'}</dd>
      <dt>実時刻との差</dt><dd>${status ? formatDuration(status.offsetMs) : '—'}</dd>
    </dl>
    <form method="post" action="/admin/clock" class="card">
      ${formError(refusal)}${csrfField(session.csrfToken)}
      ${movable ? null : html`<p class="notice">本番モードでは時計を進めることはできません。</p>`}
      <label for="advance">進める期間（例: 3d, 12h, 1d12h, 20m）</label>
      <input type="text" id="advance" name="advance" value="${form.advance ?? ''}" placeholder="3d">
      ${fieldError(refusal, 'advance')}
      <label for="to">または、この日時まで進める（日本時間）</label>
      <input type="datetime-local" id="to" name="to" value="${form.to ?? ''}">
      ${fieldError(refusal, 'to')}
      <p><button type="submit">時計を進める</button></p>
      <p class="muted">時計は進めることだけができ、戻すことはできません。データベースを共有するすべてのプロセスに反映されます。</p>
    </form>`,
  );
}
