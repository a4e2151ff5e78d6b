/**
 * The switching date and the matching deadline (slide 31 of the seed), and the dates a move-in
 * (再点) may name. Pure: the grid passes in the point's schedule, lead-time case and today.
 *
 * - **Switching date** (public, slide 31 [S1]): the retailer names it: the first regular reading
 *   day after the standard period, or another later day at the customer's request. At matching, the
 *   named date stands if the lead time counted from the matching day still allows it; if not, the
 *   switch-in is refused (`APP_SWITCH_DATE_PASSED`), never moved to another day. A switch-in naming
 *   no date gets the first scheduled reading day after the lead time (ours: a convenience of the
 *   reference grid; the public rule asks the retailer to name it).
 * - **Matching deadline** (public in substance [S24]: an application whose counterpart has not
 *   arrived by the deadline before the switching date is refused): the last day on which matching
 *   still allows the named date. A far-future switch waits as long as it needs. A switch naming no
 *   date waits 8 business days after its day of acceptance (ours).
 * - **Move-in date**: retroactive up to 31 calendar days before the application for a point left
 *   廃止中（お客さま宅内操作で点灯） (public, HEPCO [S10]; applied in every area: ours); from today for a
 *   point reconnected remotely (廃止中（遠隔操作で点灯）, ours); from the next business day where someone
 *   must go on site (ours); with meter work, the LV meter-work lead time (ours).
 */
import { addBusinessDays, nextBusinessDay } from './calendar.ts';
import type { DiscontinuationMethodCode } from './codes.ts';
import { addDays, type IsoDate } from './date.ts';
import { defaultSwitchingDate, earliestDate, type LeadTimeOptions, type VoltageClass } from './lead-time.ts';
import type { ReadingGroup, ReadingSchedule } from './reading-day.ts';

/** Business days a switch naming no date waits for its counterpart after its day of acceptance (ours). */
export const matchingLimitBusinessDays = 8;

/** Calendar days a move-in may reach back at a point the customer switches on at home (HEPCO [S10]). */
export const retroactiveMoveInDays = 31;

export interface SwitchCase {
  readonly voltage: VoltageClass;
  readonly meterWork: boolean;
}

export type SwitchingDateDecision = { readonly ok: true; readonly date: IsoDate; readonly named: boolean } | { readonly ok: false; readonly earliest: IsoDate };

/** The switching date fixed by a matching on business date `matchedOn`, or why the named one no longer can be. */
export function switchingDateAtMatching(input: {
  readonly matchedOn: IsoDate;
  readonly requestedDate: IsoDate | null;
  readonly schedule: ReadingSchedule;
  readonly readingGroup: ReadingGroup;
  readonly switchCase: SwitchCase;
}): SwitchingDateDecision {
  const options: LeadTimeOptions = { meterWork: input.switchCase.meterWork };
  const earliest = earliestDate(input.matchedOn, input.switchCase.voltage, options);
  if (input.requestedDate === null) {
    return { ok: true, date: defaultSwitchingDate(input.matchedOn, input.schedule, input.readingGroup, input.switchCase.voltage, options), named: false };
  }
  return input.requestedDate >= earliest ? { ok: true, date: input.requestedDate, named: true } : { ok: false, earliest };
}

/**
 * The last day on which a matching still allows `requested`: the latest d with earliestDate(d) on or
 * before it (earliestDate never decreases as d grows, so the search goes back from `requested`).
 */
export function lastMatchingDayFor(requested: IsoDate, switchCase: SwitchCase): IsoDate {
  let d = requested;
  while (earliestDate(d, switchCase.voltage, { meterWork: switchCase.meterWork }) > requested) d = addDays(d, -1);
  return d;
}

/**
 * The last day a switch (accepted on `acceptedOn`, naming `requestedDate` or none) may still be
 * matched. A switch-out's date is informative (the switch-in's decides), so it waits at least the
 * 8 business days of a switch naming none, and longer when its date lies further ahead (ours).
 */
export function matchingDeadline(input: {
  readonly kind: 'switchIn' | 'switchOut';
  readonly acceptedOn: IsoDate;
  readonly requestedDate: IsoDate | null;
  readonly switchCase: SwitchCase;
}): IsoDate {
  const unnamed = addBusinessDays(input.acceptedOn, matchingLimitBusinessDays);
  if (input.requestedDate === null) return unnamed;
  const named = lastMatchingDayFor(input.requestedDate, input.switchCase);
  return input.kind === 'switchOut' && unnamed > named ? unnamed : named;
}

export interface MoveInEarliest {
  readonly earliest: IsoDate;
  /** Why, in the words of the refusal. */
  readonly reason: string;
}

/** The earliest date a move-in filed `today` may name, by how the point was left and meter work. */
export function moveInEarliestDate(input: {
  readonly today: IsoDate;
  readonly discontinuationMethod: DiscontinuationMethodCode | null;
  readonly meterWork: boolean;
}): MoveInEarliest {
  if (input.meterWork) {
    return { earliest: earliestDate(input.today, 'LV', { meterWork: true }), reason: '計器工事を伴う再点は標準処理期間が必要です' };
  }
  switch (input.discontinuationMethod) {
    case 'customerSwitch':
      return {
        earliest: addDays(input.today, -retroactiveMoveInDays),
        reason: `廃止中（お客さま宅内操作で点灯）の供給地点は${retroactiveMoveInDays}日前までの遡及再点ができます`,
      };
    case 'remote':
      return { earliest: input.today, reason: '遠隔操作で点灯する供給地点は当日から再点できます' };
    default:
      return { earliest: nextBusinessDay(input.today), reason: '現地作業で点灯する供給地点は翌営業日から再点できます' };
  }
}
