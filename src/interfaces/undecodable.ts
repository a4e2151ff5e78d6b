/**
 * A value whose bytes were not valid in the encoding they came in: invalid UTF-8 in a JSON or SOAP
 * body or a web form, bytes that are neither UTF-8 nor Shift_JIS in a CSV cell. The codecs put it
 * where the value would have been, instead of text with replacement characters (U+FFFD), and
 * validation refuses it as that field's (IF_ENCODING_INVALID): a customer's name is never stored
 * altered, and the refusal names the field like any other.
 */
export class UndecodableText {
  readonly encoding: 'UTF-8' | 'Shift_JIS';
  constructor(encoding: 'UTF-8' | 'Shift_JIS') {
    this.encoding = encoding;
  }
}

/** The strict UTF-8 decoder: throws on bytes that are not UTF-8, never replaces them. */
export const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The replacing decoder, only to find where invalid bytes are once strict decoding has failed. */
export const replacingUtf8 = new TextDecoder('utf-8');

/** The replacement character a replacing decoder leaves for invalid bytes. */
export const replacement = '\ufffd';
