/**
 * Factories for relay tests: Tokyo supply point IDs by number, and a relay registration (IS_20110)
 * by 2001 to 1003 that is valid as it is, with overrides.
 */

/** The Tokyo supply point ID numbered `n` (area 03, 22 digits). */
export const tokyoPoint = (n: number): string => `03${String(n).padStart(20, '0')}`;

export function relayRegistration(n: number, requestId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    requestId,
    updateFlag: '1',
    supplyPointId: tokyoPoint(n),
    contractNumber: `K-${n}`,
    address: { prefecture: '東京都', city: '千代田区', street: '丸の内一丁目1番1号' },
    customerNameKana: 'ヤマダ タロウ',
    customerName: '山田 太郎',
    terminationDate: '2026-04-20',
    oldRetailerCode: '10033',
    ...overrides,
  };
}
