/**
 * The web-only supply point search (供給地点特定番号検索, SYSTEM.md §3), the internal message
 * WEB_SUPPLY_POINT_SEARCH (src/interfaces/web-search.ts): a retailer at the area screen looks up
 * the supply point ID of a place by its address, or of a customer by the name in kana.
 *
 * Answers, for at most `webSearchLimit` points, the columns of slide 26: the supply point ID, the
 * address, the status, 廃止措置方法, 契約形態, 引込柱番号 and 計器番号; and whether there were more.
 * Nothing else: not the customer's name, not the retailer.
 */
import { normalizeKana } from '../../domain/kana.ts';
import { Refusal } from '../../domain/refusal.ts';
import { normalizeAddressQuery, webSearchLimit, webSearchMinLength, type WebSearchPoint, type WebSearchResult } from '../../interfaces/web-search.ts';
import { ok, type InterfaceHandler } from '../context.ts';
import { discontinuationMethodOf } from '../registry/facility.ts';
import { searchByAddress, searchByCustomerKana, type SearchFamily } from '../registry/search.repository.ts';

const families: readonly SearchFamily[] = ['LV', 'HV', 'FIT'];

export const supplyPointSearchHandler: InterfaceHandler = async (ctx, request) => {
  const { by, query, family } = request.body;
  if (by !== 'address' && by !== 'nameKana') throw new Refusal('WEB_SEARCH_BY_INVALID', { field: 'by' });
  if (typeof family !== 'string' || !families.includes(family as SearchFamily)) throw new Refusal('WEB_SEARCH_FAMILY_INVALID', { field: 'family' });
  if (query !== undefined && query !== null && typeof query !== 'string') throw new Refusal('WEB_SEARCH_QUERY_REQUIRED', { field: 'query' });
  const key = typeof query === 'string' ? (by === 'address' ? normalizeAddressQuery(query) : normalizeKana(query)) : '';
  if (key === '') throw new Refusal('WEB_SEARCH_QUERY_REQUIRED', { field: 'query' });
  if ([...key].length < webSearchMinLength) throw new Refusal('WEB_SEARCH_QUERY_TOO_SHORT', { field: 'query', params: { min: webSearchMinLength } });
  const search = by === 'address' ? searchByAddress : searchByCustomerKana;
  const rows = await search(ctx.db, ctx.schema, family as SearchFamily, key, webSearchLimit + 1);
  const points: WebSearchPoint[] = rows.slice(0, webSearchLimit).map((r) => ({
    supplyPointId: r.supplyPointId,
    status: r.status,
    address: { prefecture: r.prefecture, city: r.city, street: r.street, building: r.building },
    discontinuationMethod: discontinuationMethodOf(r),
    contractType: r.contractType,
    servicePoleNumber: r.servicePoleNumber,
    meterNumbers: r.meters.map((m) => m.meterNumber),
  }));
  const result: WebSearchResult = { points, more: rows.length > webSearchLimit ? '1' : '0' };
  return ok(result as unknown as Record<string, unknown>);
};
