/**
 * Valid request bodies for every grid interface of the catalogue, on any supply point: what the
 * verification tests send with designated IDs (the hub validates them as any request).
 */
export function bodyFor(interfaceId: string, supplyPointId: string, requestId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const fit = interfaceId.startsWith('IF_F');
  const number = interfaceId.replace(/^IF_[KF]?/, '').slice(0, 3);
  const name = fit ? { generatorNameKana: 'ヤマダ タロウ', generatorName: '山田 太郎' } : { customerNameKana: 'ヤマダ タロウ', customerName: '山田 太郎' };
  const filing = { requestId, updateFlag: '1', supplyPointId };
  let body: Record<string, unknown>;
  switch (number) {
    case '101':
      body = { supplyPointId };
      break;
    case '102':
      body = { requestId, supplyPointId, customerNameKana: 'ヤマダ タロウ', phoneNumber: '0312345678', consentDate: '2026-11-20' };
      break;
    case '103':
      body = { supplyPointId, usagePassword: 'ABCDEFGHJKLM' };
      break;
    case '104':
      body = { ...filing, ...name, requestedDate: '2026-12-10', phoneNumber: '0312345678', contractKw: 6, wheelingMenu: '01', meterWorkRequired: '0' };
      if (!fit) body = { ...body, contractAmpere: 30, contractKw: undefined };
      break;
    case '105':
      body = { ...filing, applicationKind: fit ? '12' : '01', requestedDate: '2026-12-10' };
      break;
    case '106':
      body = { ...filing, ...name, currentRetailerCode: '20013' };
      break;
    case '107':
      body = { ...filing };
      break;
    case '108':
      body = { ...filing, changeDate: '2026-12-10', phoneNumber: '0312345678' };
      break;
    case '109':
      body = { ...filing, contractAmpere: 40, requestedDate: '2026-12-10' };
      break;
    default:
      throw new Error(`no body for ${interfaceId}`);
  }
  return Object.fromEntries(Object.entries({ ...body, ...extra }).filter(([, v]) => v !== undefined));
}
