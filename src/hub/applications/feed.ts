/**
 * The application feed (IF_11110, IF_K11110, IF_F11110) of a retailer, across the grids of every
 * area it is registered in. Each grid keeps the feed of its own area, with its own cursor; the hub
 * fills a page from the areas in order (a page holds what the first areas have before the next
 * ones are asked), and gives a cursor of its own that records the position reached in every area
 * (table `hub.feed_cursor`). Given back, it resumes each area's feed where that page left it: as
 * each grid's feed misses nothing and repeats nothing, neither does the merged one.
 *
 * A grid that cannot answer fails the whole page (GRID_UNAVAILABLE): the retailer asks again with
 * the same cursor, and nothing is skipped.
 */
import { Refusal } from '../../domain/refusal.ts';
import type { AreaCode } from '../../domain/area.ts';
import type { InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import type { FieldValues } from '../../interfaces/validate.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Queryable } from '../../platform/db/db.ts';

/** As the catalogue's default page size. */
const defaultPageSize = 100;

type Positions = Record<string, string>;

async function loadPositions(q: Queryable, companyCode: string, interfaceId: string, cursor: string): Promise<Positions> {
  const id = /^H([0-9a-z]{1,12})$/.exec(cursor)?.[1];
  const { rows } = id
    ? await q.query<{ positions: Positions }>(`SELECT positions FROM hub.feed_cursor WHERE id = $1 AND company_code = $2 AND interface_id = $3`, [
        parseInt(id, 36),
        companyCode,
        interfaceId,
      ])
    : { rows: [] };
  if (!rows[0]) throw new Refusal('OUTBOX_CURSOR_INVALID', { field: 'since' });
  return rows[0].positions;
}

async function savePositions(q: Queryable, clock: Clock, companyCode: string, interfaceId: string, positions: Positions): Promise<string> {
  const { rows } = await q.query<{ id: number }>(
    `INSERT INTO hub.feed_cursor (company_code, interface_id, positions, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    [companyCode, interfaceId, JSON.stringify(positions), clock.now()],
  );
  return `H${rows[0]!.id.toString(36)}`;
}

export async function mergedFeed(
  deps: { readonly db: Queryable; readonly clock: Clock },
  companyCode: string,
  areas: readonly AreaCode[],
  def: InterfaceDefinition,
  body: FieldValues,
  forward: (area: AreaCode, body: FieldValues) => Promise<InterfaceResponse>,
): Promise<InterfaceResponse> {
  const since = typeof body.since === 'string' ? body.since : undefined;
  let positions: Positions;
  try {
    positions = since ? await loadPositions(deps.db, companyCode, def.id, since) : {};
  } catch (error) {
    if (error instanceof Refusal) return { result: 'NG', messages: [error.toDetail()] };
    throw error;
  }
  const pageSize = typeof body.pageSize === 'number' ? body.pageSize : defaultPageSize;
  const items: unknown[] = [];
  const reached: Positions = { ...positions };
  let more = false;
  for (const area of [...areas].sort()) {
    const room = pageSize - items.length;
    if (room === 0) {
      more = true;
      break;
    }
    const answer = await forward(area, { ...(reached[area] ? { since: reached[area] } : {}), pageSize: room });
    if (answer.result !== 'OK') return answer;
    const data = answer.data ?? {};
    items.push(...((data.items as unknown[] | undefined) ?? []));
    if (typeof data.nextCursor === 'string') reached[area] = data.nextCursor;
    if (data.more === '1') {
      more = true;
      break;
    }
  }
  const moved = areas.some((area) => reached[area] !== positions[area]);
  const nextCursor = since && !moved ? since : await savePositions(deps.db, deps.clock, companyCode, def.id, reached);
  return { result: 'OK', messages: [], data: { items, nextCursor, more: more ? '1' : '0' } as Record<string, unknown> };
}
