/**
 * Worked requests for DEMO.md: real demo points of the Tokyo area put into the requests a retailer
 * sends first (facility info, usage password and usage, switch-in, move-in, status by request ID),
 * each as the JSON body of `POST /api/v1/{interfaceId}` with the certificate to send it with. Every
 * body is validated against the interface catalogue here, so DEMO.md cannot show a request the hub
 * would refuse for its shape (a test checks the generated text as well).
 */
import type { AreaCode } from '../domain/area.ts';
import { addDays, tokyoDate } from '../domain/date.ts';
import { earliestDate } from '../domain/lead-time.ts';
import { retailerLabel, type AreaDemoPoints } from '../grid/lookup/demo-points.ts';
import { demoRetailersIn } from '../grid/seed/retailers.ts';
import { interfaceById } from '../interfaces/catalogue/catalogue.ts';
import { validateRequest } from '../interfaces/validate.ts';
import type { Clock } from '../platform/clock.ts';

/** The area the examples are drawn from: the demo's two retailers with users (1003, 2001) both work there. */
const exampleArea: AreaCode = '03';

export interface DemoExample {
  readonly interfaceId: string;
  /** The company whose API certificate sends it (`pki/api/{company}.cert.pem`). */
  readonly companyCode: string;
  readonly note: string;
  readonly body: Readonly<Record<string, string>>;
}

/** The examples for the listed points; none when the area has no suitable point (an unseeded registry). */
export function demoExamples(byArea: readonly AreaDemoPoints[], clock: Clock): DemoExample[] {
  const points = byArea.find((a) => a.area === exampleArea)?.points ?? [];
  const smart = points.find((p) => p.kind === 'lvSmart' && p.retailerCode !== null && p.customerName !== null && p.phone !== null);
  const vacant = points.find((p) => p.kind === 'vacant');
  if (!smart || !vacant) return [];
  const today = tokyoDate(clock.now());
  const current = smart.retailerCode!;
  // The switch-in comes from another retailer of the area: the first new entrant, or the incumbent if the entrant supplies it.
  const [incumbent, ...entrants] = demoRetailersIn(exampleArea);
  const newcomer = [...entrants, incumbent!].find((r) => !current.startsWith(r.companyCode))!.companyCode;
  const examples: DemoExample[] = [
    { interfaceId: 'IF_10110', companyCode: newcomer, note: 'facility info of a point', body: { supplyPointId: smart.supplyPointId } },
    {
      interfaceId: 'IF_10210',
      companyCode: newcomer,
      note: "a usage password, with the customer's consent of today",
      body: {
        requestId: 'demo-pw-1',
        supplyPointId: smart.supplyPointId,
        customerNameKana: smart.customerNameKana!,
        customerName: smart.customerName!,
        phoneNumber: smart.phone!,
        consentDate: today,
      },
    },
    { interfaceId: 'IF_10220', companyCode: newcomer, note: 'its status by request ID alone: shows the password once', body: { requestId: 'demo-pw-1' } },
    {
      interfaceId: 'IF_10310',
      companyCode: newcomer,
      note: "13 months of usage and yesterday's half-hourly values (the password as IF_10220 showed it)",
      body: { supplyPointId: smart.supplyPointId, usagePassword: 'ABCDEFGHJKLM', halfHourlyDate: addDays(today, -1) },
    },
    {
      interfaceId: 'IF_10610',
      companyCode: newcomer,
      note: `a switch-in from the current retailer ${retailerLabel(current)}`,
      body: {
        requestId: 'demo-si-1',
        updateFlag: '1',
        supplyPointId: smart.supplyPointId,
        customerNameKana: smart.customerNameKana!,
        customerName: smart.customerName!,
        currentRetailerCode: current,
      },
    },
    { interfaceId: 'IF_10620', companyCode: newcomer, note: 'its status by request ID alone', body: { requestId: 'demo-si-1' } },
    {
      interfaceId: 'IF_10410',
      companyCode: newcomer,
      note: "a move-in of a new customer at a vacant point, with the customer's consent to the wheeling terms (a date any vacant point allows, meter work or not)",
      body: {
        requestId: 'demo-mi-1',
        updateFlag: '1',
        supplyPointId: vacant.supplyPointId,
        requestedDate: earliestDate(today, 'LV', { meterWork: true }),
        moveInTime: '1000',
        customerNameKana: 'ヤマダ タロウ',
        customerName: '山田 太郎',
        phoneNumber: '03-1234-5678',
        contractDecisionMethod: '01',
        customerConsent: '1',
      },
    },
  ];
  for (const example of examples) {
    const checked = validateRequest(interfaceById(example.interfaceId)!, example.body);
    if (!checked.ok) throw new Error(`DEMO.md example of ${example.interfaceId} is refused: ${checked.messages.map((m) => m.code).join(', ')}`);
  }
  return examples;
}

/** The DEMO.md section showing the examples. */
export function demoExamplesMarkdown(examples: readonly DemoExample[]): string {
  if (examples.length === 0) return '';
  const lines = [
    '## Example requests (JSON API)',
    '',
    'Each is the body of `POST https://localhost:8443/api/v1/{interface}` (`content-type: application/json`),',
    "sent with the named company's API certificate, e.g.",
    "`curl --cacert pki/ca.cert.pem --cert pki/api/2001.cert.pem --key pki/api/2001.key.pem -H 'content-type: application/json' -d @body.json https://localhost:8443/api/v1/IF_10110`.",
    'The same fields go into the SOAP binding (`/soap?wsdl`) and the web forms.',
    '',
  ];
  for (const e of examples) {
    lines.push(
      `\`POST /api/v1/${e.interfaceId}\` as ${e.companyCode} (\`pki/api/${e.companyCode}.*\`): ${e.note}.`,
      '',
      '```json',
      JSON.stringify(e.body, null, 2),
      '```',
      '',
    );
  }
  return lines.join('\n');
}
