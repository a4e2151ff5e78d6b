/**
 * `kirikae call IF_10110 --supply-point 03…`: a retailer's call from a shell, through the SDK.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { interfaceById, interfaces, type InterfaceDefinition } from '../../interfaces/catalogue/catalogue.ts';
import type { Field } from '../../interfaces/catalogue/types.ts';
import type { InterfaceResponse } from '../../interfaces/message.ts';
import { numberFromText } from '../../interfaces/validate.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Command } from '../command.ts';
import { hubClient } from '../hub-client.ts';

export const call: Command = {
  name: 'call',
  summary: 'インタフェースを呼び出す（小売電気事業者のシステムとして）/ call an interface as a retailer system',
  usage: `kirikae call INTERFACE_ID [--supply-point ID] [--field name=value ...] [--attach FILE ...] --cert CERT.pem
             [--key KEY.pem] [--ca CA.pem] [--url https://localhost:8443] [--soap] [--json]

Calls one interface of the hub with a client certificate and prints the answer as a readable list,
or the whole envelope with --json. --soap uses the SOAP binding instead of JSON.

  --supply-point ID    shorthand for --field supplyPointId=ID
  --field name=value   any request field by its identifier (repeatable)
  --attach FILE        a document (PDF, JPEG, PNG, TIFF) sent with a usage password or move-in
                       application (repeatable): multipart JSON, or SOAP with attachments with --soap
  --key                default: the certificate path with .cert.pem replaced by .key.pem
  --ca                 default: KIRIKAE_HOME/pki/ca.cert.pem
  --url                default: https://localhost:PORT

Example (after npm start):
  kirikae call IF_10110 --supply-point 0313…  --cert var/pki/api/1003.cert.pem`,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'supply-point': { type: 'string' },
        field: { type: 'string', multiple: true },
        attach: { type: 'string', multiple: true },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string' },
        url: { type: 'string' },
        soap: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const def = interfaceById(positionals[0] ?? '');
    if (!def) {
      console.error(`kirikae call: name an interface: ${interfaces.map((i) => i.id).join(' ')}`);
      return 2;
    }
    if (!values.cert) {
      console.error('kirikae call: --cert is required (a client certificate, e.g. var/pki/api/1003.cert.pem)');
      return 2;
    }
    const config = loadConfig();
    const fields = fieldsFromArgs(def, values['supply-point'], values.field ?? []);
    if (typeof fields === 'string') {
      console.error(`kirikae call: --field takes name=value, not "${fields}"`);
      return 2;
    }
    const client = await hubClient({ cert: values.cert, key: values.key, ca: values.ca, url: values.url }, config, { binding: values.soap ? 'soap' : 'json' });
    try {
      const attachments = await Promise.all((values.attach ?? []).map(async (path) => ({ fileName: basename(path), bytes: await readFile(path) })));
      const answer = await client.call(def.id, fields, values.soap ? 'soap' : 'json', { attachments });
      console.log(values.json ? JSON.stringify(answer, null, 2) : readable(def, answer));
      return answer.result === 'OK' ? 0 : 3;
    } finally {
      client.close();
    }
  },
};

/**
 * The request fields of `--supply-point` and `--field name=value`. The shell gives text and the API
 * takes numbers as numbers, so a number field's numeral becomes a number here (page=2 is sent as
 * 2). A pair without "=" is given back as a string, to be told.
 */
export function fieldsFromArgs(def: InterfaceDefinition, supplyPoint: string | undefined, pairs: readonly string[]): Record<string, string | number> | string {
  const fields: Record<string, string | number> = {};
  if (supplyPoint) fields.supplyPointId = supplyPoint;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at < 1) return pair;
    const name = pair.slice(0, at);
    const field = def.request.find((f) => f.id === name);
    fields[name] = field ? numberFromText(field, pair.slice(at + 1)) : pair.slice(at + 1);
  }
  return fields;
}

/** The envelope as lines a person reads: result, messages, remarks, then each field by its Japanese name. */
export function readable(def: InterfaceDefinition, answer: InterfaceResponse): string {
  const lines = [`${def.id} ${def.name}: ${answer.result}`];
  for (const m of answer.messages) lines.push(`  [${m.code}] ${m.text}${m.field ? ` (${m.field})` : ''}`);
  if (answer.remarks) lines.push(`  ご連絡事項: ${answer.remarks}`);
  if (answer.data) lines.push(...fieldLines(def.response, answer.data as Record<string, unknown>, '  '));
  return lines.join('\n');
}

function fieldLines(fields: readonly Field[], data: Record<string, unknown>, indent: string): string[] {
  const lines: string[] = [];
  for (const field of fields) {
    const value = data[field.id];
    if (value === undefined || value === null) continue;
    const label = `${field.name} (${field.id})`;
    if (field.type === 'group') {
      const items = Array.isArray(value) ? value : [value];
      lines.push(`${indent}${label}: ${Array.isArray(value) ? `${items.length}件` : ''}`);
      items.forEach((item, i) => {
        if (Array.isArray(value)) lines.push(`${indent}  [${i + 1}]`);
        lines.push(...fieldLines(field.fields, item as Record<string, unknown>, `${indent}    `));
      });
    } else {
      lines.push(`${indent}${label}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
    }
  }
  return lines;
}
