/**
 * Checks on the names written into certificates. A common name is at most 64 characters
 * (RFC 5280 ub-common-name) and has no control characters, which would only confuse the logs and
 * screens that show it; anything else, Japanese included, is fine.
 */
import { Refusal } from '../../domain/refusal.ts';

const MAX_NAME_LENGTH = 64;

export function checkName(value: string, field: string): string {
  const name = value.normalize('NFC').trim();
  if (name.length === 0 || [...name].length > MAX_NAME_LENGTH || /\p{Cc}/u.test(name)) {
    throw new Refusal('PKI_NAME_INVALID', { params: { field } });
  }
  return name;
}
