/**
 * Demo relays for the sandbox's first start: the first new entrant (2001) asks the Tokyo incumbent
 * (1003) to end the contracts of a few of its customers, so that 1003's users see relays awaiting
 * their decision (the portal's icon, slide 23) and 2001's users see them in their result list.
 * Composes grid and hub, like demo.ts: the points and customers come from the Tokyo grid's registry.
 */
import { addDays, tokyoDate } from '../domain/date.ts';
import { demoRetailers } from '../grid/seed/retailers.ts';
import { fileRelays } from '../hub/relay/relay.commands.ts';
import type { Actor } from '../hub/policy.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/db.ts';

export const demoRelayCount = 3;

export async function seedDemoRelays(db: Db, clock: Clock): Promise<number> {
  const entrant = demoRetailers.find((r) => r.companyCode === '2001');
  if (!entrant) return 0;
  const { rows } = await db.query<{ id: string; kana: string; kanji: string; prefecture: string; city: string; street: string; building: string | null }>(
    `SELECT sp.supply_point_id AS id, c.name_kana AS kana, c.name_kanji AS kanji, c.prefecture, c.city, c.street, c.building
       FROM grid_03.supply_point sp JOIN grid_03.customer c ON c.customer_id = sp.customer_id
      WHERE sp.status = 'contracted' AND sp.voltage_class = 'LV' AND NOT sp.fit_receiving AND sp.retailer_code = '10033'
      ORDER BY sp.supply_point_id LIMIT $1`,
    [demoRelayCount],
  );
  const actor: Actor = { participant: { companyCode: entrant.companyCode, kind: 'retailer', status: 'active', areas: entrant.areas } };
  const terminationDate = addDays(tokyoDate(clock.now()), 14);
  const answers = await fileRelays(
    { db, clock },
    actor,
    rows.map((p, i) => ({
      interfaceId: 'IS_20110',
      family: 'LV' as const,
      body: {
        requestId: `demo-relay-${i + 1}`,
        updateFlag: '1',
        supplyPointId: p.id,
        contractNumber: `1003-${String(100001 + i)}`,
        address: { prefecture: p.prefecture, city: p.city, street: p.street, ...(p.building ? { building: p.building } : {}) },
        customerNameKana: p.kana,
        customerName: p.kanji,
        terminationDate,
        oldRetailerCode: '10033',
      },
    })),
  );
  return answers.filter((a) => a.result === 'OK').length;
}
