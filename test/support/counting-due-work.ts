/**
 * Due work (src/jobs/due-work.ts) whose grid functions only count their calls and hand out `pending`
 * rows `limit` at a time: for tests of how the schedules and the queue run the work, not of the work.
 */
import type { DueWork } from '../../src/jobs/due-work.ts';

export interface FakeGrid {
  readonly area: string;
}

export function countingDueWork(grids: FakeGrid[], pending: { matching: number; due: number }, calls: Map<string, number>): DueWork<FakeGrid> {
  const count = (key: string) => calls.set(key, (calls.get(key) ?? 0) + 1);
  return {
    grids,
    areas: grids.map((g) => g.area),
    limit: 10,
    maxRuns: 5,
    runMatching: async (grid, { limit }) => {
      count(`matching ${grid.area}`);
      const matched = Math.min(limit, pending.matching);
      pending.matching -= matched;
      return { matched, expired: 0, full: matched === limit };
    },
    executeDue: async (grid, { limit }) => {
      count(`execute ${grid.area}`);
      const executed = Math.min(limit, pending.due);
      pending.due -= executed;
      return { executed };
    },
    retryDueDeliveries: async () => {
      count('retries');
    },
    notify: async (areas = []) => {
      count(`notify ${areas.length > 0 ? areas.join(',') : 'mail'}`);
    },
  };
}
