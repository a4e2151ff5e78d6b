/**
 * Places for synthetic supply points: the real prefectures each grid operator serves, a handful of
 * real cities (or wards) in each, weighted roughly by population, and generic town names (町名) that
 * exist in many Japanese cities. Street numbers (丁目-番-号) are drawn by the generator, so an address
 * looks real without being anybody's.
 *
 * `jis` is the JIS X 0401 prefecture code, which the synthetic supply point ID embeds; `phone` the
 * main trunk prefix (市外局番) of the prefecture's largest city.
 *
 * Area boundaries follow the grid operators' service areas where a prefecture is split: eastern
 * Shizuoka (Numazu, Fuji) is Tokyo's, the rest Chubu's; Niigata is Tohoku's.
 */
import type { AreaCode } from '../../domain/area.ts';

export interface Prefecture {
  readonly name: string;
  readonly jis: number;
  /** Relative population within the area. */
  readonly weight: number;
  readonly phone: string;
  readonly cities: readonly string[];
}

export const prefecturesByArea: Readonly<Record<AreaCode, readonly Prefecture[]>> = {
  '01': [
    {
      name: '北海道',
      jis: 1,
      weight: 5.1,
      phone: '011',
      cities: ['札幌市中央区', '札幌市北区', '札幌市豊平区', '旭川市', '函館市', '釧路市', '帯広市', '苫小牧市', '小樽市'],
    },
  ],
  '02': [
    { name: '宮城県', jis: 4, weight: 2.3, phone: '022', cities: ['仙台市青葉区', '仙台市泉区', '仙台市太白区', '石巻市', '大崎市'] },
    { name: '新潟県', jis: 15, weight: 2.1, phone: '025', cities: ['新潟市中央区', '新潟市西区', '長岡市', '上越市'] },
    { name: '福島県', jis: 7, weight: 1.8, phone: '024', cities: ['郡山市', 'いわき市', '福島市', '会津若松市'] },
    { name: '青森県', jis: 2, weight: 1.2, phone: '017', cities: ['青森市', '八戸市', '弘前市'] },
    { name: '岩手県', jis: 3, weight: 1.2, phone: '019', cities: ['盛岡市', '一関市', '奥州市'] },
    { name: '山形県', jis: 6, weight: 1.0, phone: '023', cities: ['山形市', '鶴岡市', '酒田市'] },
    { name: '秋田県', jis: 5, weight: 0.9, phone: '018', cities: ['秋田市', '横手市', '大仙市'] },
  ],
  '03': [
    {
      name: '東京都',
      jis: 13,
      weight: 14.0,
      phone: '03',
      cities: ['世田谷区', '練馬区', '大田区', '江戸川区', '足立区', '杉並区', '板橋区', '八王子市', '町田市', '府中市'],
    },
    {
      name: '神奈川県',
      jis: 14,
      weight: 9.2,
      phone: '045',
      cities: ['横浜市港北区', '横浜市青葉区', '横浜市戸塚区', '川崎市中原区', '相模原市中央区', '藤沢市', '横須賀市'],
    },
    { name: '埼玉県', jis: 11, weight: 7.3, phone: '048', cities: ['さいたま市浦和区', 'さいたま市大宮区', '川口市', '川越市', '所沢市', '越谷市'] },
    { name: '千葉県', jis: 12, weight: 6.3, phone: '043', cities: ['千葉市中央区', '船橋市', '松戸市', '柏市', '市川市'] },
    { name: '茨城県', jis: 8, weight: 2.8, phone: '029', cities: ['水戸市', 'つくば市', '日立市', '土浦市'] },
    { name: '栃木県', jis: 9, weight: 1.9, phone: '028', cities: ['宇都宮市', '小山市', '栃木市'] },
    { name: '群馬県', jis: 10, weight: 1.9, phone: '027', cities: ['前橋市', '高崎市', '太田市'] },
    { name: '静岡県', jis: 22, weight: 1.0, phone: '055', cities: ['沼津市', '富士市', '三島市'] },
    { name: '山梨県', jis: 19, weight: 0.8, phone: '055', cities: ['甲府市', '甲斐市'] },
  ],
  '04': [
    { name: '愛知県', jis: 23, weight: 7.5, phone: '052', cities: ['名古屋市中区', '名古屋市千種区', '名古屋市緑区', '豊田市', '岡崎市', '一宮市', '豊橋市'] },
    { name: '静岡県', jis: 22, weight: 2.6, phone: '054', cities: ['静岡市葵区', '静岡市駿河区', '浜松市中央区', '磐田市'] },
    { name: '岐阜県', jis: 21, weight: 2.0, phone: '058', cities: ['岐阜市', '大垣市', '各務原市'] },
    { name: '長野県', jis: 20, weight: 2.0, phone: '026', cities: ['長野市', '松本市', '上田市'] },
    { name: '三重県', jis: 24, weight: 1.6, phone: '059', cities: ['津市', '四日市市', '鈴鹿市'] },
  ],
  '05': [
    { name: '富山県', jis: 16, weight: 1.0, phone: '076', cities: ['富山市', '高岡市', '射水市'] },
    { name: '石川県', jis: 17, weight: 1.1, phone: '076', cities: ['金沢市', '白山市', '小松市'] },
    { name: '福井県', jis: 18, weight: 0.7, phone: '0776', cities: ['福井市', '坂井市', '越前市'] },
  ],
  '06': [
    { name: '大阪府', jis: 27, weight: 8.8, phone: '06', cities: ['大阪市北区', '大阪市淀川区', '大阪市平野区', '堺市堺区', '東大阪市', '豊中市', '吹田市'] },
    { name: '兵庫県', jis: 28, weight: 5.4, phone: '078', cities: ['神戸市中央区', '神戸市西区', '姫路市', '西宮市', '尼崎市'] },
    { name: '京都府', jis: 26, weight: 2.5, phone: '075', cities: ['京都市左京区', '京都市伏見区', '宇治市', '亀岡市'] },
    { name: '滋賀県', jis: 25, weight: 1.4, phone: '077', cities: ['大津市', '草津市', '彦根市'] },
    { name: '奈良県', jis: 29, weight: 1.3, phone: '0742', cities: ['奈良市', '橿原市', '生駒市'] },
    { name: '和歌山県', jis: 30, weight: 0.9, phone: '073', cities: ['和歌山市', '田辺市'] },
  ],
  '07': [
    { name: '広島県', jis: 34, weight: 2.8, phone: '082', cities: ['広島市中区', '広島市安佐南区', '福山市', '呉市', '東広島市'] },
    { name: '岡山県', jis: 33, weight: 1.9, phone: '086', cities: ['岡山市北区', '倉敷市', '津山市'] },
    { name: '山口県', jis: 35, weight: 1.3, phone: '083', cities: ['下関市', '山口市', '宇部市', '周南市'] },
    { name: '島根県', jis: 32, weight: 0.7, phone: '0852', cities: ['松江市', '出雲市'] },
    { name: '鳥取県', jis: 31, weight: 0.6, phone: '0857', cities: ['鳥取市', '米子市'] },
  ],
  '08': [
    { name: '愛媛県', jis: 38, weight: 1.3, phone: '089', cities: ['松山市', '今治市', '新居浜市'] },
    { name: '香川県', jis: 37, weight: 0.95, phone: '087', cities: ['高松市', '丸亀市', '坂出市'] },
    { name: '徳島県', jis: 36, weight: 0.7, phone: '088', cities: ['徳島市', '阿南市'] },
    { name: '高知県', jis: 39, weight: 0.7, phone: '088', cities: ['高知市', '南国市'] },
  ],
  '09': [
    { name: '福岡県', jis: 40, weight: 5.1, phone: '092', cities: ['福岡市博多区', '福岡市東区', '福岡市早良区', '北九州市小倉北区', '久留米市'] },
    { name: '熊本県', jis: 43, weight: 1.7, phone: '096', cities: ['熊本市中央区', '熊本市東区', '八代市'] },
    { name: '鹿児島県', jis: 46, weight: 1.6, phone: '099', cities: ['鹿児島市', '霧島市', '鹿屋市'] },
    { name: '長崎県', jis: 42, weight: 1.3, phone: '095', cities: ['長崎市', '佐世保市', '諫早市'] },
    { name: '大分県', jis: 44, weight: 1.1, phone: '097', cities: ['大分市', '別府市', '中津市'] },
    { name: '宮崎県', jis: 45, weight: 1.1, phone: '0985', cities: ['宮崎市', '都城市', '延岡市'] },
    { name: '佐賀県', jis: 41, weight: 0.8, phone: '0952', cities: ['佐賀市', '唐津市'] },
  ],
  '10': [{ name: '沖縄県', jis: 47, weight: 1.5, phone: '098', cities: ['那覇市', '沖縄市', 'うるま市', '浦添市', '宜野湾市', '名護市'] }],
};

/** Town names found in many cities, with the same kana wherever they occur. */
export const towns: readonly string[] = [
  '本町',
  '中央',
  '栄町',
  '緑町',
  '旭町',
  '幸町',
  '錦町',
  '昭和町',
  '東町',
  '西町',
  '南町',
  '北町',
  '新町',
  '大和町',
  '宮前',
  '桜木町',
  '若葉',
  '松原',
  '柳町',
  '日の出町',
  '千歳町',
  '富士見',
  '青葉台',
  '花園',
  '泉町',
  '港町',
  '元町',
  '寿町',
  '八幡町',
  '山手町',
  '駅前',
  '城東',
  '城西',
  '中島',
  '高砂',
];

/** Apartment building names: a prefix and a town make "ハイツ栄町". */
export const apartmentPrefixes: readonly string[] = ['ハイツ', 'コーポ', 'メゾン', 'レジデンス', 'パレス', 'グリーンハイツ', 'サンハイム', 'ロイヤル'];

/** Office buildings: a surname makes "田中ビル". */
export const officeBuildingSuffixes: readonly string[] = ['ビル', '第一ビル', '第二ビル', 'センタービル', '会館'];

/** Where a generated supply point is: a street address in one of an area's prefectures. */
export interface Place {
  readonly prefecture: Prefecture;
  readonly cityIndex: number;
  readonly town: string;
  readonly street: string;
  readonly building: string | null;
}
