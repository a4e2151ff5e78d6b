/**
 * What the hub's route modules, screens and interfaces are given: the database, the clock and, in
 * the sandbox, the clock's control. A module of its own so that the route modules depend on it
 * rather than on the server that registers them (which would close an import cycle).
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/db.ts';
import type { CertificateAuthority } from '../certificates/request.commands.ts';
import type { ClockControl } from '../clock/clock.commands.ts';
import type { AreaCode } from '../../domain/area.ts';

export interface HubDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly clockControl?: ClockControl | undefined;
  /** The hub CA and its issuance schedule (certificate requests, issue 19); absent: requests wait for a process that has it. */
  readonly certificates?: CertificateAuthority | undefined;
  /** The supply points of an area's registry (the switching rate's denominator); null when unknown. */
  readonly supplyPointCount?: ((area: AreaCode) => Promise<number | null>) | undefined;
}
