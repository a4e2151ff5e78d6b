import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleValues } from '../examples.ts';
import { validateRequest, validateResponseData } from '../validate.ts';
import { interfaceById, interfaces } from './catalogue.ts';
import type { Field } from './types.ts';

/** SYSTEM.md §4, row by row. */
const expectedIds = [
  'IF_10110',
  'IF_F10110',
  'IF_10210',
  'IF_10220',
  'IF_K10210',
  'IF_K10220',
  'IF_10310',
  'IF_K10310',
  'IF_10410',
  'IF_10420',
  'IF_F10410',
  'IF_F10420',
  'IF_10510',
  'IF_10520',
  'IF_K10510',
  'IF_K10520',
  'IF_F10510',
  'IF_F10520',
  'IF_10610',
  'IF_10620',
  'IF_K10610',
  'IF_K10620',
  'IF_F10610',
  'IF_F10620',
  'IF_10710',
  'IF_10720',
  'IF_K10710',
  'IF_K10720',
  'IF_F10710',
  'IF_F10720',
  'IF_10810',
  'IF_10820',
  'IF_K10810',
  'IF_K10820',
  'IF_F10810',
  'IF_F10820',
  'IF_10910',
  'IF_10920',
  'IF_11110',
  'IF_K11110',
  'IF_F11110',
  'IS_20110',
  'IS_K20110',
  'IS_F20110',
  'IS_20210',
  'IS_K20210',
  'IS_F20210',
  'IS_20310',
  'IS_K20310',
  'IS_F20310',
  'IS_20410',
  'IS_K20410',
  'IS_F20410',
  'IS_30110',
  // Ours: the pull mailbox of notifications.
  'IS_40110',
  'IS_40120',
];

function allFields(fields: readonly Field[]): Field[] {
  return fields.flatMap((f) => (f.type === 'group' ? [f, ...allFields(f.fields)] : [f]));
}

describe('interface catalogue', () => {
  it('has every interface of SYSTEM.md §4, the pull mailbox, and no other', () => {
    assert.equal(interfaces.length, 56);
    assert.deepEqual([...interfaces.map((d) => d.id)].sort(), [...expectedIds].sort());
  });

  it('has the 41 IF_ interfaces of the grid stub list, all forwarded to the grid', () => {
    const forwarded = interfaces.filter((d) => d.id.startsWith('IF_'));
    assert.equal(forwarded.length, 41);
    assert.ok(forwarded.every((d) => d.direction === 'grid'));
    assert.ok(interfaces.filter((d) => d.id.startsWith('IS_')).every((d) => d.direction === 'hub'));
  });

  it('finds an interface by its ID and nothing for an unknown one', () => {
    assert.equal(interfaceById('IF_K10610')?.name, 'スイッチング開始申込');
    assert.equal(interfaceById('IF_K10410'), undefined);
    assert.equal(interfaceById('toString'), undefined);
  });

  it('puts K interfaces in the HV family and F interfaces in the FIT family', () => {
    for (const def of interfaces) {
      const prefix = /^I[FS]_([KF]?)\d/.exec(def.id)?.[1];
      assert.equal(def.family, prefix === 'K' ? 'HV' : prefix === 'F' ? 'FIT' : 'LV', def.id);
    }
  });

  it('gives every application (…10) a status inquiry (…20) of the same application kinds', () => {
    for (const def of interfaces.filter((d) => d.kind === 'application')) {
      const status = interfaceById(def.id.replace(/10$/, '20'));
      assert.equal(status?.kind, 'status', def.id);
      assert.deepEqual(status.applicationKinds, def.applicationKinds, def.id);
      assert.ok(def.applicationKinds && def.applicationKinds.length > 0, def.id);
    }
  });

  it("makes every write idempotent by the caller's requestId", () => {
    const writes = interfaces.filter((d) => d.kind === 'application' || d.id.endsWith('20110') || d.id.endsWith('20410'));
    for (const def of writes) assert.equal(def.request.find((f) => f.id === 'requestId')?.required, true, def.id);
  });

  it('names fields by camelCase identifiers, each once in its list, with a Japanese name', () => {
    for (const def of interfaces) {
      for (const list of [def.request, def.response, ...allFields([...def.request, ...def.response]).flatMap((f) => (f.type === 'group' ? [f.fields] : []))]) {
        const ids = list.map((f) => f.id);
        assert.equal(new Set(ids).size, ids.length, `${def.id}: ${ids.join(',')}`);
      }
      for (const field of allFields([...def.request, ...def.response])) {
        assert.match(field.id, /^[a-z][A-Za-z0-9]*$/, `${def.id}.${field.id}`);
        assert.match(field.name, /[^\x00-\x7f]/, `${def.id}.${field.id} has a Japanese name`);
      }
    }
  });

  it('names only sibling fields in conditions and at-least-one rules', () => {
    for (const def of interfaces) {
      const check = (fields: readonly Field[]) => {
        for (const f of fields) {
          if (f.requiredWhen)
            assert.ok(
              fields.some((g) => g.id === f.requiredWhen!.field),
              `${def.id}.${f.id}`,
            );
          if (f.type === 'group') check(f.fields);
        }
      };
      check(def.request);
      for (const rule of def.atLeastOneOf ?? []) {
        for (const id of rule.fields)
          assert.ok(
            def.request.some((f) => f.id === id),
            `${def.id}: ${id}`,
          );
      }
    }
  });

  it('accepts a filled-in example request and response of every interface', () => {
    for (const def of interfaces) {
      const request = validateRequest(def, exampleValues(def.request));
      assert.ok(request.ok, `${def.id}: ${JSON.stringify(!request.ok && request.messages)}`);
      const response = validateResponseData(def, exampleValues(def.response));
      assert.ok(response.ok, `${def.id}: ${JSON.stringify(!response.ok && response.messages)}`);
    }
  });
});
