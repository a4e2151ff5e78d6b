/**
 * The supply point search by address or customer name (供給地点特定番号検索, SYSTEM.md §3): Web
 * only, so it is not in the public catalogue and has no JSON or SOAP binding. The hub's area screen
 * sends it to the area's grid as an internal message in the same envelope as the IF_ interfaces
 * (a grid may run in another process), and the grid answers from its registry.
 *
 *   request body   { by: 'address' | 'nameKana', query, family: 'LV' | 'HV' | 'FIT' }
 *   OK data        { points: [{ supplyPointId, status, address: { prefecture, city, street, building } }], more: '0' | '1' }
 *
 * Address: prefix match on the registered address, from the prefecture or from the city on.
 * Name: prefix match on the current customer's name in kana, both sides kana-normalised
 * (domain/kana.ts). At most `webSearchLimit` points; `more` says there were more.
 */
import type { ContractTypeCode, DiscontinuationMethodCode, SupplyPointStatusCode } from '../domain/codes.ts';

export const webSupplyPointSearchId = 'WEB_SUPPLY_POINT_SEARCH';

/** Results a search gives at most: a page a person can read, never a registry dump. */
export const webSearchLimit = 50;

/** The shortest query: two characters narrow an address or a kana name to something useful. */
export const webSearchMinLength = 2;

export type WebSearchBy = 'address' | 'nameKana';
export const webSearchBys: readonly WebSearchBy[] = ['address', 'nameKana'];

export interface WebSearchRequest {
  readonly by: WebSearchBy;
  readonly query: string;
  readonly family: 'LV' | 'HV' | 'FIT';
}

/** A row of the search list: the columns of slide 26 (廃止措置方法, 契約形態, 引込柱番号, 計器番号) besides ID, address and state. */
export interface WebSearchPoint {
  readonly supplyPointId: string;
  readonly status: SupplyPointStatusCode;
  readonly address: { readonly prefecture: string; readonly city: string; readonly street: string; readonly building: string | null };
  readonly discontinuationMethod: DiscontinuationMethodCode | null;
  readonly contractType: ContractTypeCode | null;
  readonly servicePoleNumber: string | null;
  readonly meterNumbers: readonly string[];
}

export interface WebSearchResult {
  readonly points: readonly WebSearchPoint[];
  readonly more: '0' | '1';
}

/** An address query as compared with the registry: NFKC (full-width digits → ASCII), no spaces. */
export function normalizeAddressQuery(query: string): string {
  return query.normalize('NFKC').replace(/\s+/g, '');
}
