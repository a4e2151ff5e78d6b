/** Japanese labels of the hub's closed values, for screens. */
export const participantKindLabels = { hub: '広域機関', grid: '一般送配電事業者', retailer: '小売電気事業者', generator: '発電者' } as const;
export const userRoleLabels = { hub_admin: '広域機関管理者', participant_admin: '事業者管理者', user: '一般ユーザ' } as const;
export const statusLabels = { active: '有効', suspended: '停止中', deleted: '削除済' } as const;
export const certificateUsageLabels = { api: 'API（システム連携）', terminal: '端末（画面）' } as const;
export const suspensionTargetLabels = { participant: '事業者', certificate: 'クライアント証明書', user: 'ユーザID' } as const;

/** A date-time in Japan, as screens show it: 2026/04/01 09:30. */
export function jst(instant: Date | null | undefined): string {
  if (!instant) return '';
  const t = new Date(instant.getTime() + 9 * 3_600_000).toISOString();
  return `${t.slice(0, 4)}/${t.slice(5, 7)}/${t.slice(8, 10)} ${t.slice(11, 16)}`;
}
