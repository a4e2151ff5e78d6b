/**
 * The XML Schemas of the W5 files, as the site publishes them (`PPS/xsd/…`, HALFHOURLY.md B13.2).
 * Ours: the real XSDs are not public (A10), nor are the layouts of 計量器取替 and 臨時検針他 (B5).
 * Three documents: 月間確定使用量, 臨時検針他 (the same record with the reading's cause and day), and
 * 計量器取替.
 */
import { code, messageHeader } from './w4-xsd.ts';

const text = (name: string, maxLength: number) =>
  `<xs:element name="${name}"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="${maxLength}"/></xs:restriction></xs:simpleType></xs:element>`;

const header = messageHeader('W5[0-9]{2}');

const types = `
  <xs:simpleType name="kWh"><xs:restriction base="xs:decimal"><xs:minInclusive value="0"/><xs:totalDigits value="10"/><xs:fractionDigits value="4"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="yyyymmdd"><xs:restriction base="xs:string"><xs:pattern value="[0-9]{8}"/></xs:restriction></xs:simpleType>`;

const usageRecord = (special: boolean) => `
  <xs:element name="JPMR00010">
    <xs:complexType><xs:sequence>
      ${code('JP06400', '[0-9]{22}')}
      ${code('JP06119', '[0-9]{1,21}')}
      <xs:element name="JP06120" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="80"/></xs:restriction></xs:simpleType></xs:element>
      ${text('JP06402', 70)}
      ${text('JP06403', 4)}
      ${code('JP06404', '[12]')}
      ${code('JP06405', '[01]')}
      <xs:element name="JP06406" minOccurs="0" type="xs:decimal"/>
      ${code('JP06407', '[12]', true)}
      <xs:element name="JP06426" minOccurs="0" type="kWh"/>
      <xs:element name="JP06427" minOccurs="0" type="kWh"/>
      <xs:element name="JP06445" minOccurs="0" type="kWh"/>
      <xs:element name="JP06446" minOccurs="0" type="yyyymmdd"/>
      ${special ? `${code('KR_READING_CAUSE', '[1239]')}\n      <xs:element name="KR_READING_DATE" type="yyyymmdd"/>` : ''}
      <xs:element name="KR_METER_EXCHANGE_DATE" minOccurs="0" type="yyyymmdd"/>
      <xs:element name="JPM00013" minOccurs="0"><xs:complexType><xs:sequence>
        <xs:element name="JPMR00013" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
          <xs:element name="JP06423" type="yyyymmdd"/>
          <xs:element name="JPM00014"><xs:complexType><xs:sequence>
            <xs:element name="JPMR00014" minOccurs="48" maxOccurs="48"><xs:complexType><xs:sequence>
              <xs:element name="JP06219"><xs:simpleType><xs:restriction base="xs:integer"><xs:minInclusive value="1"/><xs:maxInclusive value="48"/></xs:restriction></xs:simpleType></xs:element>
              <xs:element name="JP06424" type="kWh"/>
              <xs:element name="JP06425" type="kWh"/>
            </xs:sequence></xs:complexType></xs:element>
          </xs:sequence></xs:complexType></xs:element>
        </xs:sequence></xs:complexType></xs:element>
      </xs:sequence></xs:complexType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>`;

const exchangeRecord = `
  <xs:element name="JPMR00010">
    <xs:complexType><xs:sequence>
      ${code('JP06400', '[0-9]{22}')}
      ${code('JP06119', '[0-9]{1,21}')}
      <xs:element name="KR_EXCHANGE_DATE" type="yyyymmdd"/>
      <xs:element name="KR_EXCHANGE_SLOT"><xs:simpleType><xs:restriction base="xs:integer"><xs:minInclusive value="1"/><xs:maxInclusive value="48"/></xs:restriction></xs:simpleType></xs:element>
      ${code('KR_OLD_METER', '[0-9A-Z]{1,16}')}
      <xs:element name="KR_OLD_FINAL_READING" type="xs:nonNegativeInteger"/>
      ${code('KR_NEW_METER', '[0-9A-Z]{1,16}')}
      <xs:element name="KR_NEW_INITIAL_READING" type="xs:nonNegativeInteger"/>
      <xs:element name="KR_MULTIPLIER" type="xs:positiveInteger"/>
      <xs:element name="KR_OLD_METER_KWH_IN_PERIOD" type="kWh"/>
    </xs:sequence></xs:complexType>
  </xs:element>`;

function schema(record: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">${types}
  <xs:element name="SBD-MSG">
    <xs:complexType><xs:sequence>
      <xs:element name="JPMGRP">
        <xs:complexType><xs:sequence>
          <xs:element ref="JPMGH"/>
          <xs:element name="JPTRM">
            <xs:complexType><xs:sequence>
              ${code('JP00002', '[0-9]{4}')}
              ${code('JP06110', '[A-Z0-9]{5}')}
              <xs:element name="JP06111"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="50"/></xs:restriction></xs:simpleType></xs:element>
              ${code('JP06112', '[A-Z0-9]{5}')}
              ${code('JP06401', '[0-9]{6}')}
              <xs:element name="JPM00010"><xs:complexType><xs:sequence><xs:element ref="JPMR00010" minOccurs="0" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
            </xs:sequence></xs:complexType>
          </xs:element>
        </xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>${header}${record}
</xs:schema>
`;
}

/** 特高・高圧／低圧月間確定使用量 (W51210, W51220). */
export const w5MonthlyXsd = schema(usageRecord(false));
/** 特高・高圧／低圧臨時検針他 (W51410, W51420). */
export const w5SpecialXsd = schema(usageRecord(true));
/** 特高・高圧／低圧計量器取替 (W51310, W51320). */
export const w5ExchangeXsd = schema(exchangeRecord);

/** The published schemas by file name (`PPS/xsd/{name}`). */
export const w5PublishedXsds: Readonly<Record<string, string>> = {
  'W5_monthly.xsd': w5MonthlyXsd,
  'W5_special.xsd': w5SpecialXsd,
  'W5_exchange.xsd': w5ExchangeXsd,
};

/** Which schema a W5 kind's files follow. */
export function w5XsdNameOf(infoCode: string): string {
  return infoCode.startsWith('12') ? 'W5_monthly.xsd' : infoCode.startsWith('13') ? 'W5_exchange.xsd' : 'W5_special.xsd';
}
