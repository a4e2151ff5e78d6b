/**
 * The XML Schemas of the W4 files, as the site publishes them (`PPS/xsd/…`, HALFHOURLY.md B13.2).
 * Ours: the real XSDs are not public (A10). Two documents, because the same element name
 * JPMR00010 is a point in a same-day file and a time code in a daily file.
 */
/** A string element restricted by a pattern (shared with the W5 schemas, w5-xsd.ts). */
export const code = (name: string, pattern: string, optional = false) =>
  `<xs:element name="${name}"${optional ? ' minOccurs="0"' : ''}><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="${pattern}"/></xs:restriction></xs:simpleType></xs:element>`;

/** The SBD message header JPMGH, for the BP whose JPC11 matches `bpPattern`. */
export const messageHeader = (bpPattern: string) => `
  <xs:element name="JPMGH">
    <xs:complexType><xs:sequence>
      ${code('JPC03', '[0-9]')}
      ${code('JPC06', '[A-Z0-9]{5}')}
      ${code('JPC09', '[A-Z0-9]{5}')}
      ${code('JPC10', 'JP')}
      ${code('JPC11', bpPattern)}
      ${code('JPC12', '[0-9]{4}')}
      ${code('JPC14', '[0-9]{14}')}
      ${code('JPC19', 'CII11')}
      ${code('JPC21', '[01]')}
    </xs:sequence></xs:complexType>
  </xs:element>`;

const header = messageHeader('W[45][0-9]{2}');

const trmHead = `
      ${code('JP00002', '[0-9]{4}')}
      ${code('JP06110', '[A-Z0-9]{5}')}
      <xs:element name="JP06111"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="50"/></xs:restriction></xs:simpleType></xs:element>
      ${code('JP06112', '[A-Z0-9]{5}')}
      ${code('JP06116', '[0-9]{8}')}`;

const pointRecord = (name: string) => `
  <xs:element name="${name}">
    <xs:complexType><xs:sequence>
      ${code('JP06400', '[0-9]{22}')}
      ${code('JP06119', '[0-9]{1,21}')}
      <xs:element name="JP06120" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="80"/></xs:restriction></xs:simpleType></xs:element>
      ${code('JP06121', '[0-9A-Z]{1,16}')}
      ${code('JP06122', '[0-9]')}
      <xs:choice minOccurs="0">
        <xs:element name="JP06123" type="kWh"/>
        <xs:element name="JP06125" type="kWh"/>
      </xs:choice>
    </xs:sequence></xs:complexType>
  </xs:element>`;

const slotCode = `<xs:element name="JP06219"><xs:simpleType><xs:restriction base="xs:integer"><xs:minInclusive value="1"/><xs:maxInclusive value="48"/></xs:restriction></xs:simpleType></xs:element>`;

const kWhType = `
  <xs:simpleType name="kWh"><xs:restriction base="xs:decimal"><xs:minInclusive value="0"/><xs:totalDigits value="10"/><xs:fractionDigits value="4"/></xs:restriction></xs:simpleType>`;

function schema(trm: string, records: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">${kWhType}
  <xs:element name="SBD-MSG">
    <xs:complexType><xs:sequence>
      <xs:element name="JPMGRP">
        <xs:complexType><xs:sequence>
          <xs:element ref="JPMGH"/>
          <xs:element name="JPTRM">
            <xs:complexType><xs:sequence>${trmHead}
              ${trm}
            </xs:sequence></xs:complexType>
          </xs:element>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>${header}${records}
</xs:schema>
`;
}

/** 特高・高圧／低圧30分電力量 (W40110, W41110): one time code, one record per point. */
export const w4SameDayXsd = schema(
  `${slotCode}
              <xs:element name="JPM00010"><xs:complexType><xs:sequence><xs:element ref="JPMR00010" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>`,
  pointRecord('JPMR00010'),
);

/** 特高・高圧／低圧日毎30分電力量 (W40120, W41120): 48 time codes, each with a record per point. */
export const w4DailyXsd = schema(
  `<xs:element name="JPM00010"><xs:complexType><xs:sequence>
                <xs:element name="JPMR00010" minOccurs="48" maxOccurs="48"><xs:complexType><xs:sequence>
                  ${slotCode}
                  <xs:element name="JPM00011"><xs:complexType><xs:sequence><xs:element ref="JPMR00011" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
                </xs:sequence></xs:complexType></xs:element>
              </xs:sequence></xs:complexType></xs:element>`,
  pointRecord('JPMR00011'),
);

/** The published schemas by file name (`PPS/xsd/{name}`). */
export const publishedXsds: Readonly<Record<string, string>> = {
  'W4_30min.xsd': w4SameDayXsd,
  'W4_daily.xsd': w4DailyXsd,
};
