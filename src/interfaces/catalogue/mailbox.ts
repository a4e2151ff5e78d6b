/**
 * The pull mailbox (お知らせ取得, ours, after the Nordic datahubs): a retailer's system peeks its
 * unacknowledged notifications oldest first (IS_40110) and acknowledges them (IS_40120), so a system
 * that polls never misses one nor handles one twice. Answered by the hub (hub/notifications).
 *
 * A peek leases what it hands out for `leaseSeconds` (default 60): meanwhile no other peek of the
 * same retailer gets it, so two processes polling at once split the work. A notification not
 * acknowledged before its lease runs out is handed out again (`deliveryCount` tells); one
 * acknowledged, never again.
 */
import { code, dateTime, group, integer, list, required, string, supplyPointId } from './fields.ts';
import type { CodeTable, InterfaceDefinition } from './types.ts';

export const notificationKindTable: CodeTable = {
  name: 'NotificationKind',
  codes: {
    relayAwaitingDecision: '判断待ちの廃止取次',
    relayDecided: '廃止取次の判断結果',
    matchingComplete: 'マッチング完了',
    applicationCompleted: 'スイッチング完了',
    certificateIssued: '証明書の発行',
    certificateRequestRefused: '証明書申請の否認',
    certificateExpiring: '証明書の有効期限',
    credentialSuspended: '証明書・IDの停止',
  },
};

export const mailboxInterfaces: readonly InterfaceDefinition[] = [
  {
    id: 'IS_40110',
    name: 'お知らせ取得',
    englishName: 'Mailbox peek',
    family: 'LV',
    kind: 'mailbox',
    direction: 'hub',
    description:
      "The caller's oldest unacknowledged notifications not leased to another peek, leased to this one for leaseSeconds. Acknowledge them with IS_40120 (by peekToken or notificationIds); unacknowledged ones are handed out again once the lease has run out.",
    request: [
      integer('maxCount', '取得件数', { min: 1, max: 100, description: 'Absent: 20.' }),
      integer('leaseSeconds', '保留秒数', { min: 10, max: 3600, description: 'How long the notifications handed out are held for this peek. Absent: 60.' }),
    ],
    response: [
      string('peekToken', '取得トークン', 64, { description: 'Acknowledges everything this peek handed out (IS_40120). Absent when nothing was handed out.' }),
      dateTime('leasedUntil', '保留期限'),
      integer('remaining', '残り件数', {
        required: true,
        min: 0,
        description: 'Unacknowledged notifications besides these (leased to other peeks or not yet handed out).',
      }),
      group(
        'notifications',
        'お知らせ',
        [
          integer('notificationId', '通知ID', { required: true, min: 1 }),
          code('kind', '通知種別', notificationKindTable, required),
          string('subject', '件名', 200, required),
          string('text', '本文', 2000, { required: true, multiline: true }),
          string('relayNumber', '廃止取次番号', 30),
          string('applicationNumber', '申込番号', 30),
          supplyPointId(),
          dateTime('createdAt', '通知日時', required),
          integer('deliveryCount', '取得回数', { required: true, min: 1, description: '1: handed out for the first time; more: again after a lease ran out.' }),
        ],
        list(0, 100),
      ),
    ],
  },
  {
    id: 'IS_40120',
    name: 'お知らせ確認',
    englishName: 'Mailbox acknowledge',
    family: 'LV',
    kind: 'mailbox',
    direction: 'hub',
    description:
      "Acknowledges notifications: those a peek handed out (peekToken, while no later peek took them after the lease ran out) and/or by their IDs. Acknowledging again is harmless; an ID that is not one of the caller's notifications refuses the request.",
    request: [string('peekToken', '取得トークン', 64), integer('notificationIds', '通知ID', { min: 1, ...list(0, 100) })],
    atLeastOneOf: [{ fields: ['peekToken', 'notificationIds'] }],
    response: [
      integer('acknowledged', '確認件数', {
        required: true,
        min: 0,
        description: 'Notifications acknowledged by this request (not those acknowledged before).',
      }),
    ],
  },
];
