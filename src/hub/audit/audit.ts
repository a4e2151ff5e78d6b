/**
 * The audit log: who used which credential, where, when, for what, and with what result — so that
 * after a suspension (slide 46) "who used it, where and when" can be answered at once.
 *
 * One entry per request (journaled by the HTTPS layer before the answer is sent, then inserted in
 * batches: hub/audit/audit-journal.ts) and per sign-in attempt (written by `signIn` itself).
 * Entries hold codes and IDs only, never personal data: no names, phone numbers or addresses; the
 * supply point IDs touched are what links an entry to a customer. The table is append-only: the
 * database refuses UPDATE, DELETE and TRUNCATE.
 */
import type { MessageCode } from '../../domain/messages.ts';

export const auditChannels = ['api', 'soap', 'web', 'cli'] as const;
export type AuditChannel = (typeof auditChannels)[number];

/** `OK`, or the code of the refusal the request ended with. */
export type AuditResult = 'OK' | MessageCode | (string & {});

export interface AuditEntry {
  readonly at: Date;
  /** The company code of the participant whose certificate made the request. */
  readonly companyCode: string | null;
  readonly userId: string | null;
  readonly fingerprint256: string | null;
  readonly sourceAddress: string | null;
  readonly channel: AuditChannel;
  /** The interface ID (`IF_…`, `IS_…`) or the screen name (`login`, `userList`, …). */
  readonly action: string;
  readonly supplyPointIds?: readonly string[];
  readonly result: AuditResult;
  readonly requestId?: string | null;
}

export interface AuditRecord extends AuditEntry {
  readonly auditId: number;
  readonly supplyPointIds: readonly string[];
  readonly requestId: string | null;
}

export interface AuditFilter {
  /** A company code. */
  readonly participant?: string;
  readonly userId?: string;
  readonly fingerprint?: string;
  readonly supplyPointId?: string;
  /** From this instant, inclusive. */
  readonly from?: Date;
  /** Up to this instant, exclusive. */
  readonly to?: Date;
  readonly action?: string;
  readonly result?: string;
}

export interface AuditPageRequest {
  /** Default 100, at most 1,000. */
  readonly limit?: number;
  /** The `next` of the previous page: continue with older entries. */
  readonly before?: string | null;
}

export interface AuditPage {
  /** Newest first. */
  readonly entries: AuditRecord[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  readonly next: string | null;
}
