/**
 * The shape of an interface definition. One definition per interface (IF_/IS_) says everything the
 * bindings need: validation (validate.ts), JSON (json.ts), SOAP (soap.ts), OpenAPI (openapi.ts) and
 * WSDL/XSD (wsdl.ts) are all derived from it, so adding an interface means adding one definition.
 *
 * Terms:
 * - field: one item of a request or of the response data, named by its glossary identifier
 *   (SYSTEM.md §8) in JSON keys and XML element names alike, with its Japanese name for messages.
 * - group: a field made of fields (a JSON object, an XML element with child elements).
 * - repeated: a field that occurs `min`–`max` times (a JSON array, repeated XML elements).
 * - code table: the closed list of values of a `code` field, `{ code: Japanese name }`.
 */
import type { ApplicationKindCode } from '../../domain/codes.ts';
import type { Repertoire } from '../../domain/repertoire.ts';

export type FieldType = 'string' | 'digits' | 'date' | 'dateTime' | 'integer' | 'decimal' | 'code' | 'supplyPointId' | 'participantCode' | 'group';

/** A named code table. The name becomes the XSD simple type and the OpenAPI schema of the codes. */
export interface CodeTable {
  readonly name: string;
  readonly codes: Readonly<Record<string, string>>;
}

/** A field is required only when a sibling field (already validated) has one of these values. */
export interface Condition {
  readonly field: string;
  readonly values: readonly string[];
}

export interface Repetition {
  readonly min: number;
  readonly max: number;
}

interface FieldBase {
  /** English identifier, camelCase, from the glossary: the JSON key and the XML element name. */
  readonly id: string;
  /** Japanese name, as reception messages and documentation show it. */
  readonly name: string;
  readonly description?: string;
  /** Required always. */
  readonly required?: boolean;
  /** Required when a sibling field has one of the given values (e.g. applicationNumber for updateFlag 2 or 3). */
  readonly requiredWhen?: Condition;
  /** Absent: occurs at most once. */
  readonly repeated?: Repetition;
}

/** What every field may say besides its type: for the builders of fields.ts. */
export type FieldOptions = Omit<FieldBase, 'id' | 'name'>;

export interface StringField extends FieldBase {
  readonly type: 'string';
  /** In characters (code points), not bytes. */
  readonly maxLength: number;
  /**
   * The characters the value may hold (domain/repertoire.ts, README "What the interfaces accept"):
   * `windows31j` what the market's Shift_JIS files carry, taken as typed (a name is never
   * normalised); `kana` kana names, NFKC-normalised first (half-width kana become full-width).
   * Control and bidirectional control characters are refused in every field.
   */
  readonly repertoire: Repertoire;
  /** Line breaks and tabs allowed (free-text notes). */
  readonly multiline?: boolean;
}

export interface DigitsField extends FieldBase {
  readonly type: 'digits';
  readonly maxLength: number;
  readonly minLength?: number;
}

export interface DateField extends FieldBase {
  readonly type: 'date';
}

/** An instant, ISO 8601 with an offset ("2016-04-01T09:00:00+09:00"); given back in UTC ("…Z"). */
export interface DateTimeField extends FieldBase {
  readonly type: 'dateTime';
}

export interface IntegerField extends FieldBase {
  readonly type: 'integer';
  readonly min?: number;
  readonly max?: number;
}

export interface DecimalField extends FieldBase {
  readonly type: 'decimal';
  /** Digits after the decimal point, at most. */
  readonly scale: number;
  readonly min?: number;
  readonly max?: number;
}

export interface CodeField extends FieldBase {
  readonly type: 'code';
  readonly table: CodeTable;
}

export interface SupplyPointIdField extends FieldBase {
  readonly type: 'supplyPointId';
}

export interface ParticipantCodeField extends FieldBase {
  readonly type: 'participantCode';
}

export interface GroupField extends FieldBase {
  readonly type: 'group';
  readonly fields: readonly Field[];
}

export type Field =
  | StringField
  | DigitsField
  | DateField
  | DateTimeField
  | IntegerField
  | DecimalField
  | CodeField
  | SupplyPointIdField
  | ParticipantCodeField
  | GroupField;

/** The maximum length a field's value can have, in characters, where its type fixes one. */
export function maxLengthOf(field: Field): number | undefined {
  switch (field.type) {
    case 'string':
    case 'digits':
      return field.maxLength;
    case 'date':
      return 10;
    case 'supplyPointId':
      return 22;
    case 'participantCode':
      return 5;
    case 'code':
      return Math.max(...Object.keys(field.table.codes).map((c) => c.length));
    default:
      return undefined;
  }
}

/**
 * LV = low voltage (IF_10110), HV = high voltage under 500 kW (IF_K…), FIT = low-voltage FIT
 * generation (IF_F…): the prefix of the ID. IS_30110, which belongs to no family, is LV, the
 * unprefixed one.
 */
export type InterfaceFamily = 'LV' | 'HV' | 'FIT';

/**
 * - lookup: answers from the grid's data at once (facility, usage)
 * - application: files a wheeling change application (…10)
 * - status: the stage of an application (…20)
 * - feed: pages through the caller's applications (11110)
 * - relay: switching termination relay, kept by the hub (IS_20…)
 * - participant: the participant list (IS_30110)
 * - mailbox: the pull mailbox of notifications (IS_40110, IS_40120)
 */
export type InterfaceKind = 'lookup' | 'application' | 'status' | 'feed' | 'relay' | 'participant' | 'mailbox';

/** grid: the hub forwards the call to the grid of the supply point's area; hub: the hub answers itself. */
export type InterfaceDirection = 'grid' | 'hub';

/**
 * At least one of these top-level fields must be given (identity data: a phone number or an
 * address; a change: at least one changed item), always or only when a condition holds.
 */
export interface AtLeastOneOf {
  readonly fields: readonly string[];
  readonly when?: Condition;
}

export interface InterfaceDefinition {
  /** `IF_10110`, `IF_K10210`, `IS_F20410`, `IS_30110`. */
  readonly id: string;
  /** Japanese name, as on the grid stub list (slide 21). */
  readonly name: string;
  readonly englishName: string;
  readonly family: InterfaceFamily;
  readonly kind: InterfaceKind;
  readonly direction: InterfaceDirection;
  readonly description?: string;
  /** 申込種別 of the applications this interface files or inquires about. */
  readonly applicationKinds?: readonly ApplicationKindCode[];
  readonly request: readonly Field[];
  readonly atLeastOneOf?: readonly AtLeastOneOf[];
  /** The `data` of an OK response. */
  readonly response: readonly Field[];
  /** Document attachments the request may carry (interfaces/attachments.ts): at most `max` files. */
  readonly attachments?: { readonly max: number };
}
