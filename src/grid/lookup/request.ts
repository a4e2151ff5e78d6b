/**
 * Reading the fields of a request, and finding the supply point it names, in the grid's own terms:
 * whatever the hub checked, a grid refuses a request that is wrong for it (another area's point, an
 * unknown point, a missing field) with a stable code.
 */
import { parseIsoDate, type IsoDate } from '../../domain/date.ts';
import type { MessageCode } from '../../domain/messages.ts';
import { Refusal } from '../../domain/refusal.ts';
import { parseSupplyPointId, type SupplyPointId } from '../../domain/supply-point-id.ts';
import type { InterfaceRequest, ReceptionMessage } from '../../interfaces/message.ts';
import type { GridContext } from '../context.ts';
import type { ReadingSchedule } from '../../domain/reading-day.ts';
import { findFacility, findFacilityWithReadingDays } from '../registry/facility.repository.ts';
import { readingCalendarWindow, readingScheduleOfGroup, scheduleVoltageOf } from '../registry/reading-calendar.repository.ts';
import type { Facility } from '../registry/facility.ts';
import { fieldLabels, type LookupField } from './fields.ts';

/** A field's text, trimmed; undefined when absent or blank. Anything but a string is refused. */
export function optionalText(request: InterfaceRequest, field: LookupField): string | undefined {
  const value = request.body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Refusal('GRID_FIELD_INVALID', { field, params: { field: fieldLabels[field] } });
  const text = value.trim();
  return text === '' ? undefined : text;
}

export function requiredText(request: InterfaceRequest, field: LookupField): string {
  const text = optionalText(request, field);
  if (text === undefined) throw new Refusal('GRID_FIELD_REQUIRED', { field, params: { field: fieldLabels[field] } });
  return text;
}

/**
 * An address given as the catalogue's group `{ prefecture, city, street, building }` (or as one line
 * of text), as one line: "東京都千代田区本町2丁目14番3号コーポ本町203号室".
 */
export function optionalAddressText(request: InterfaceRequest, field: LookupField): string | undefined {
  const value = request.body[field];
  if (value === undefined || value === null || typeof value === 'string') return optionalText(request, field);
  if (typeof value !== 'object' || Array.isArray(value)) throw new Refusal('GRID_FIELD_INVALID', { field, params: { field: fieldLabels[field] } });
  const parts = ['prefecture', 'city', 'street', 'building'].map((part) => (value as Record<string, unknown>)[part]);
  if (parts.some((p) => p !== undefined && p !== null && typeof p !== 'string')) {
    throw new Refusal('GRID_FIELD_INVALID', { field, params: { field: fieldLabels[field] } });
  }
  const text = parts
    .filter((p): p is string => typeof p === 'string')
    .join('')
    .trim();
  return text === '' ? undefined : text;
}

export function optionalDate(request: InterfaceRequest, field: LookupField): IsoDate | undefined {
  const text = optionalText(request, field);
  return text === undefined ? undefined : parseIsoDate(text, field);
}

export function requiredDate(request: InterfaceRequest, field: LookupField): IsoDate {
  return parseIsoDate(requiredText(request, field), field);
}

/** The supply point ID of the request, if it is well formed and of this grid's area. */
export function supplyPointIdOf(ctx: GridContext, request: InterfaceRequest): SupplyPointId {
  const id = parseSupplyPointId(requiredText(request, 'supplyPointId'));
  const pointArea = id.slice(0, 2);
  if (pointArea !== ctx.area) {
    throw new Refusal('GRID_SPID_WRONG_AREA', { field: 'supplyPointId', params: { pointArea, gridArea: ctx.area } });
  }
  return id;
}

/** The facility record of the request's supply point, or SPID_NOT_FOUND. */
export async function facilityOf(ctx: GridContext, request: InterfaceRequest): Promise<Facility> {
  const facility = await findFacility(ctx.db, ctx.schema, supplyPointIdOf(ctx, request));
  if (!facility) throw new Refusal('SPID_NOT_FOUND', { field: 'supplyPointId' });
  return facility;
}

/**
 * The facility record of the request's supply point and the schedule its reading days follow
 * around `around` (the area's rule and the published calendar of its number), in one round trip;
 * or SPID_NOT_FOUND.
 */
export async function facilityWithScheduleOf(
  ctx: GridContext,
  request: InterfaceRequest,
  around: IsoDate,
): Promise<{ facility: Facility; schedule: ReadingSchedule }> {
  const found = await findFacilityWithReadingDays(ctx.db, ctx.schema, supplyPointIdOf(ctx, request), readingCalendarWindow(around));
  if (!found) throw new Refusal('SPID_NOT_FOUND', { field: 'supplyPointId' });
  const { facility, readingDays } = found;
  return { facility, schedule: readingScheduleOfGroup(ctx.area, scheduleVoltageOf(facility.voltageClass), facility.readingGroup, readingDays) };
}

/** A reception message that is a notice in an OK response, worded from the same catalogue as refusals. */
export function notice(code: MessageCode, params?: Record<string, string | number>): ReceptionMessage {
  return new Refusal(code, params ? { params } : {}).toDetail();
}

/**
 * The usage interfaces come in an LV and an HV (K) variant and are not for LV FIT receiving points
 * or extra-high voltage (SYSTEM.md §3, §4). `counterpart` is the other variant's interface ID, named
 * in the refusal so the retailer knows what to call instead.
 */
export function requireUsageVariant(facility: Facility, voltage: 'LV' | 'HV', counterpart: string): void {
  if (facility.fitReceiving) throw new Refusal('GRID_USAGE_NOT_FOR_FIT', { field: 'supplyPointId' });
  if (facility.voltageClass === 'EHV') throw new Refusal('GRID_POINT_IS_EHV', { field: 'supplyPointId' });
  if (facility.voltageClass !== voltage) {
    const code = facility.voltageClass === 'HV' ? 'GRID_POINT_IS_HV' : 'GRID_POINT_IS_LV';
    throw new Refusal(code, { field: 'supplyPointId', params: { interfaceId: counterpart } });
  }
}
