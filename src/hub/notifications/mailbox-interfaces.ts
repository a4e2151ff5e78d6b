/**
 * The pull mailbox interfaces answered at the hub (catalogue: interfaces/catalogue/mailbox.ts):
 * IS_40110 peeks the caller's notifications, IS_40120 acknowledges them. The caller's company is
 * the mailbox: nobody reads or acknowledges another participant's notifications.
 */
import { isRefusal, Refusal } from '../../domain/refusal.ts';
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import type { HubDeps } from '../http/hub-deps.ts';
import { authorize, type Actor } from '../policy.ts';
import { acknowledgeNotifications, peekNotifications } from './mailbox.ts';
import { defaultLeaseMs, defaultPeekSize } from './notifications.ts';

/** The policy action of each mailbox interface (call.ts `actionOf`). */
export const mailboxActions = { IS_40110: 'mailbox.read', IS_40120: 'mailbox.read' } as const;

export async function answerMailboxInterface(deps: HubDeps, actor: Actor, def: InterfaceDefinition, body: FieldValues): Promise<InterfaceResponse> {
  const companyCode = actor.participant.companyCode;
  try {
    authorize(actor, 'mailbox.read', { companyCode });
    if (def.id === 'IS_40110') {
      const peeked = await peekNotifications(deps.db, companyCode, {
        size: body.maxCount === undefined ? defaultPeekSize : Number(body.maxCount),
        leaseMs: body.leaseSeconds === undefined ? defaultLeaseMs : Number(body.leaseSeconds) * 1000,
      });
      return {
        result: 'OK',
        messages: [],
        data: {
          ...(peeked.token ? { peekToken: peeked.token } : {}),
          ...(peeked.leasedUntil ? { leasedUntil: peeked.leasedUntil.toISOString() } : {}),
          remaining: peeked.remaining,
          notifications: peeked.notifications.map((n) => ({
            notificationId: n.id,
            kind: n.kind,
            subject: n.subject,
            text: n.text,
            ...n.refs,
            createdAt: n.createdAt.toISOString(),
            deliveryCount: n.deliveryCount,
          })),
        },
      };
    }
    if (def.id === 'IS_40120') {
      const ids = body.notificationIds === undefined ? [] : (Array.isArray(body.notificationIds) ? body.notificationIds : [body.notificationIds]).map(Number);
      const token = typeof body.peekToken === 'string' ? body.peekToken : undefined;
      const result = await acknowledgeNotifications(deps.db, companyCode, { ids, ...(token !== undefined ? { token } : {}) }, deps.clock.now());
      return { result: 'OK', messages: [], data: { acknowledged: result.acknowledged } };
    }
    throw new Refusal('IF_NOT_OFFERED', { params: { interfaceId: def.id } });
  } catch (error) {
    if (isRefusal(error)) return { result: 'NG', messages: [error.toDetail()] };
    throw error;
  }
}
