/**
 * `kirikae grid interruption record|list`: the sandbox's supply restrictions and interruptions
 * (供給の制限・中止) at a grid's points, the input of the CSV report 制限中止割引時間 (HALFHOURLY.md
 * B10). With a system running on the embedded database, the running system records them
 * (cli/operator-session.ts); the report of the reading day covering one is made, or made again as a
 * new revision, by the next run of the file schedule (every 15 minutes and after a clock move).
 */
import { parseArgs } from 'node:util';
import { areaOf } from '../../domain/area.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { operatorName, withOperatorSession } from '../operator-session.ts';

const jst = (iso: string) => new Date(new Date(iso).getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const causeLabel = (cause: string) => (cause === 'planned' ? '計画' : '事故');

const record: Command = {
  name: 'grid interruption record',
  summary: '供給の制限・中止を記録する（サンドボックス） / record a supply interruption at a point (sandbox)',
  usage: `kirikae grid interruption record --area 03 --point SUPPLY_POINT_ID --from 2026-11-20T09:00 --until 2026-11-20T12:00 --cause 計画|事故 [--note TEXT]

Records a supply restriction or interruption (供給の制限・中止) at one of the area's points, for the
data provision site's report 制限中止割引時間 (STD_SEIGENCHUSHI). Times are JST, on half-hour
boundaries (00 or 30 minutes), the end after the start, at most 31 days. --cause 計画 (planned) or 事故
(accident; planned/accident also accepted). Two interruptions of one point may not overlap; a FIT
receiving point has none. The discount rate is 4 % per calendar day touched, at most 100 % (ours).
A bad input is refused whole with a code and a message (PPS_INTERRUPTION_…, SPID_…).`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        area: { type: 'string' },
        point: { type: 'string' },
        from: { type: 'string' },
        until: { type: 'string' },
        cause: { type: 'string' },
        note: { type: 'string' },
      },
    });
    const area = areaOf(String(values.area ?? '')).code;
    await withOperatorSession(loadConfig(), 'grid interruption record', async (session) => {
      const i = await session.call('grid.interruption.record', {
        area,
        point: String(values.point ?? ''),
        from: String(values.from ?? ''),
        until: String(values.until ?? ''),
        cause: String(values.cause ?? ''),
        note: values.note ?? null,
        operator: operatorName(),
      });
      console.log(
        `recorded interruption ${i.id} at ${i.supplyPointId}: ${jst(i.from)} – ${jst(i.until)} JST, ${causeLabel(i.cause)}, 割引率 ${i.discountPercent.toFixed(1)}%`,
      );
    });
  },
};

const list: Command = {
  name: 'grid interruption list',
  summary: '記録された供給の制限・中止を一覧する / list the supply interruptions recorded in an area',
  usage: `kirikae grid interruption list --area 03 [--point SUPPLY_POINT_ID] [--from 2026-11-01T00:00] [--until 2026-12-01T00:00]

Lists the area's recorded interruptions starting in [--from, --until) (JST), oldest first.`,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { area: { type: 'string' }, point: { type: 'string' }, from: { type: 'string' }, until: { type: 'string' } },
    });
    const area = areaOf(String(values.area ?? '')).code;
    await withOperatorSession(loadConfig(), 'grid interruption list', async (session) => {
      const rows = await session.call('grid.interruption.list', { area, point: values.point ?? null, from: values.from ?? null, until: values.until ?? null });
      for (const i of rows)
        console.log(
          `${String(i.id).padStart(5)}  ${i.supplyPointId}  ${jst(i.from)}  ${jst(i.until)}  ${causeLabel(i.cause)}  ${i.discountPercent.toFixed(1)}%`,
        );
      if (rows.length === 0) console.log('(none)');
    });
  },
};

export const interruptionCommands: readonly Command[] = [record, list];
