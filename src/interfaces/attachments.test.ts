import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAttachments, maxAttachmentBytes, takeAttachments, withAttachments } from './attachments.ts';
import { interfaceById } from './catalogue/catalogue.ts';
import { openApiDocument } from './openapi.ts';
import { wsdlDocument } from './wsdl.ts';

const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
const tiff = Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8]);
const password = interfaceById('IF_10210')!;

test('the usage password and move-in applications take attachments; their status inquiries and other applications do not', () => {
  for (const id of ['IF_10210', 'IF_K10210', 'IF_10410', 'IF_F10410']) assert.ok(interfaceById(id)!.attachments, id);
  for (const id of ['IF_10220', 'IF_10420', 'IF_10610', 'IF_10110']) {
    const checked = checkAttachments(interfaceById(id)!, [{ fileName: 'a.pdf', type: 'application/pdf', bytes: pdf }]);
    assert.deepEqual(checked.ok ? [] : checked.messages.map((m) => m.code), ['ATTACHMENT_NOT_ACCEPTED'], id);
  }
});

test('files are recognised by their first bytes; an undeclared type is taken from them, a declared one must agree', () => {
  const checked = checkAttachments(password, [
    { fileName: 'scan.tif', type: '', bytes: tiff },
    { fileName: 'id.pdf', type: 'application/octet-stream', bytes: pdf },
  ]);
  assert.ok(checked.ok);
  assert.deepEqual(
    checked.value.map((a) => [a.fileName, a.mediaType, a.size, Buffer.from(a.content, 'base64').equals(a.fileName === 'id.pdf' ? pdf : tiff)]),
    [
      ['scan.tif', 'image/tiff', 8, true],
      ['id.pdf', 'application/pdf', pdf.length, true],
    ],
  );
  const refused = checkAttachments(password, [{ fileName: 'id.pdf', type: 'image/png', bytes: pdf }]);
  assert.deepEqual(refused.ok ? [] : refused.messages.map((m) => [m.code, m.field]), [['ATTACHMENT_TYPE', 'attachments']]);
});

test('every faulty file is named: bad names, empty, over 5 MiB each or 10 MiB in all', () => {
  const big = Buffer.concat([pdf, Buffer.alloc(maxAttachmentBytes - pdf.length)]);
  const refused = checkAttachments(password, [
    { fileName: '../etc/passwd.pdf', type: '', bytes: pdf },
    { fileName: 'a'.repeat(101), type: '', bytes: pdf },
    { fileName: 'empty.pdf', type: '', bytes: new Uint8Array() },
    { fileName: 'one.pdf', type: '', bytes: big },
    { fileName: 'two.pdf', type: '', bytes: big },
  ]);
  assert.deepEqual(
    refused.ok ? [] : refused.messages.map((m) => m.code),
    ['ATTACHMENT_NAME', 'ATTACHMENT_NAME', 'ATTACHMENT_EMPTY', 'ATTACHMENT_TOO_LARGE'],
    'the total counts every file sent',
  );
  const total = checkAttachments(password, [
    { fileName: 'one.pdf', type: '', bytes: big },
    { fileName: 'two.pdf', type: '', bytes: big },
    { fileName: 'three.pdf', type: '', bytes: pdf },
  ]);
  assert.deepEqual(total.ok ? [] : total.messages.map((m) => [m.code, m.text]), [
    ['ATTACHMENT_TOO_LARGE', `添付ファイル「three.pdf」は大きすぎます（${pdf.length}バイト）。1件5MBまで、合計10MBまでです。`],
  ]);
});

test('at the grid the attachments leave the body, decoded; a tampered one is refused there too', () => {
  const checked = checkAttachments(password, [{ fileName: 'id.pdf', type: 'application/pdf', bytes: pdf }]);
  assert.ok(checked.ok);
  const body = withAttachments({ supplyPointId: '0300001111111111111111' }, checked.value);
  const taken = takeAttachments(password, body);
  assert.deepEqual(taken.body, { supplyPointId: '0300001111111111111111' });
  assert.ok(Buffer.from(taken.files[0]!.bytes).equals(pdf));
  assert.deepEqual(takeAttachments(password, { supplyPointId: 'x' }), { body: { supplyPointId: 'x' }, files: [] });
  const tampered = { ...body, attachments: [{ ...checked.value[0]!, content: Buffer.from('plain text').toString('base64') }] };
  assert.throws(() => takeAttachments(password, tampered), { code: 'ATTACHMENT_TYPE', field: 'attachments' });
  assert.throws(() => takeAttachments(interfaceById('IF_10610')!, body), { code: 'ATTACHMENT_NOT_ACCEPTED' });
});

test('OpenAPI offers the multipart form exactly where attachments are taken', () => {
  const doc = openApiDocument({ serverUrl: 'https://localhost' }) as { paths: Record<string, { post: { requestBody: { content: Record<string, unknown> } } }> };
  const types = (id: string) => Object.keys(doc.paths[`/api/v1/${id}`]!.post.requestBody.content);
  assert.deepEqual(types('IF_10210'), ['application/json', 'multipart/form-data']);
  assert.deepEqual(types('IF_10410'), ['application/json', 'multipart/form-data']);
  assert.deepEqual(types('IF_10110'), ['application/json']);
});

test('the WSDL says on each operation that takes documents how to send them, and on no other', () => {
  const wsdl = wsdlDocument('https://localhost');
  const operation = (id: string) => new RegExp(`<wsdl:operation name="${id}"><wsdl:documentation>([^<]*)</wsdl:documentation>`).exec(wsdl)?.[1] ?? '';
  assert.match(operation('IF_10210'), /Attachments: up to 5 documents .*multipart\/related/s);
  assert.match(operation('IF_F10410'), /Attachments: up to 5 documents/);
  assert.doesNotMatch(operation('IF_10110'), /Attachments/);
});
