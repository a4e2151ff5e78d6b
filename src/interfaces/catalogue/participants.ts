/**
 * The participant list (事業者一覧, IS_30110), answered by the hub: who is admitted, with the
 * participant codes a retailer fills in as the other side of a switch or a relay.
 */
import { code, group, integer, list, participantCode, required, string } from './fields.ts';
import * as t from './tables.ts';
import type { InterfaceDefinition } from './types.ts';

export const participantInterfaces: readonly InterfaceDefinition[] = [
  {
    id: 'IS_30110',
    name: '事業者一覧',
    englishName: 'Participant list',
    family: 'LV',
    kind: 'participant',
    direction: 'hub',
    description: 'Participants in company code order, filtered, a page at a time.',
    request: [
      code('kind', '事業者種別', t.participantKind),
      code('status', '利用状態', t.participantStatus),
      code('area', 'エリア', t.area),
      string('text', '検索文字列', 100, { description: 'Part of the name, or the beginning of a company or participant code.' }),
      integer('page', 'ページ', { min: 1, description: 'Absent: 1.' }),
      integer('pageSize', '1ページの件数', { min: 1, max: 100, description: 'Absent: 20.' }),
    ],
    response: [
      integer('total', '該当件数', { required: true, min: 0 }),
      integer('page', 'ページ', { required: true, min: 1 }),
      integer('pageSize', '1ページの件数', { required: true, min: 1 }),
      group(
        'participants',
        '事業者',
        [
          string('companyCode', '会社コード', 4, required),
          participantCode('participantCodes', '事業者コード', list(0, 10)),
          string('name', '事業者名', 100, required),
          code('kind', '事業者種別', t.participantKind, required),
          code('status', '利用状態', t.participantStatus, required),
        ],
        list(0, 100),
      ),
    ],
  },
];
