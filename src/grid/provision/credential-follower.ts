/**
 * The hub's suspensions, followed by a grid's data provision sites (slide 46: a lost or stolen
 * certificate is stopped 「まずは」 at the hub and at the grids' sites at once).
 *
 * A grid that runs apart from the hub (`kirikae grid serve`) does not read the hub's tables: it asks
 * the hub's published state, `GET /api/v1/credential-status?since=N&wait=S` (a long poll: the hub
 * answers at the next suspension or resumption, or after S seconds with none), with the grid
 * operator's own API certificate. On start it reads every change from the beginning (they are few,
 * and replaying them in order gives today's state), then keeps asking from where it stopped.
 *
 * What it learns, it applies at once: the suspended certificates and companies are refused by the
 * sites from memory (`refuses`) before any database is read, and a suspended certificate registered
 * with an area's site is marked there too (`pps_certificate.suspended_at`, so `kirikae grid pps
 * list` shows it). A hub that cannot be reached leaves the last known state in force and is asked
 * again after a growing delay (1 s … 30 s), each failure logged once.
 */
import type { AreaCode } from '../../domain/area.ts';
import { log } from '../../platform/log.ts';
import type { GridContext } from '../context.ts';
import { setPpsSuspension } from './site.repository.ts';

/** One change of the hub's published state (hub: identity/credential-status.queries.ts). */
export interface CredentialChange {
  readonly position: number;
  readonly kind: 'participant' | 'certificate' | 'user';
  /** Company code, certificate fingerprint (SHA-256, lowercase hex) or user ID. */
  readonly id: string;
  readonly companyCode: string | null;
  readonly status: 'active' | 'suspended';
  readonly at?: string;
}

/** Asks the hub for the changes after `since`, waiting up to `waitSeconds` for one. */
export type CredentialSource = (since: number, waitSeconds: number, signal: AbortSignal) => Promise<{ changes: CredentialChange[]; next: number }>;

/** The long poll's wait: well below the hub's maximum (30 s) and any idle timeout in between. */
export const followWaitSeconds = 25;
const retryMs = { first: 1_000, max: 30_000 };

export class CredentialFollower {
  readonly #source: CredentialSource;
  readonly #grids: readonly GridContext[];
  readonly #suspendedCertificates = new Set<string>();
  readonly #suspendedCompanies = new Set<string>();
  readonly #abort = new AbortController();
  #position = 0;
  #running: Promise<void> | undefined;

  constructor(source: CredentialSource, grids: Iterable<GridContext>) {
    this.#source = source;
    this.#grids = [...grids];
  }

  /** The position of the last change applied. */
  get position(): number {
    return this.#position;
  }

  /** Whether the hub suspended this certificate or its company (participant code `10033` → company `1003`). */
  refuses(fingerprint256: string, participantCode: string): boolean {
    return this.#suspendedCertificates.has(fingerprint256) || this.#suspendedCompanies.has(participantCode.slice(0, 4));
  }

  /** Reads every change so far (no waiting); throws when the hub cannot be asked. */
  async catchUp(): Promise<void> {
    for (;;) {
      const { changes, next } = await this.#source(this.#position, 0, this.#abort.signal);
      await this.#apply(changes, next);
      if (changes.length === 0) return;
    }
  }

  /** Follows the hub in the background until `stop`. */
  start(): void {
    this.#running ??= this.#follow();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  async #follow(): Promise<void> {
    let delay = retryMs.first;
    let failing = false;
    while (!this.#abort.signal.aborted) {
      try {
        const { changes, next } = await this.#source(this.#position, followWaitSeconds, this.#abort.signal);
        await this.#apply(changes, next);
        if (failing) log('info', 'credentials', `following the hub's suspensions again from position ${this.#position}`);
        failing = false;
        delay = retryMs.first;
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (!failing)
          log('warn', 'credentials', `cannot ask the hub for suspensions (${(error as Error).message}); the last known state stays in force, asking again`);
        failing = true;
        await pause(delay, this.#abort.signal);
        delay = Math.min(delay * 2, retryMs.max);
      }
    }
  }

  async #apply(changes: readonly CredentialChange[], next: number): Promise<void> {
    for (const change of changes) {
      const suspended = change.status === 'suspended';
      if (change.kind === 'certificate') {
        for (const grid of this.#grids) {
          const changed = await setPpsSuspension(
            grid.db,
            grid.schema,
            { fingerprint256: change.id },
            suspended ? { at: new Date(change.at ?? Date.now()), reason: 'suspended at the hub' } : null,
          );
          if (changed > 0)
            log(
              'info',
              'credentials',
              `area ${grid.area as AreaCode}: certificate ${change.id.slice(0, 16)}… ${suspended ? 'suspended' : 'resumed'} at the hub`,
            );
        }
        // Recorded first, then refused from memory: a site that refuses has it in its registry.
        toggle(this.#suspendedCertificates, change.id, suspended);
      } else if (change.kind === 'participant') {
        toggle(this.#suspendedCompanies, change.id, suspended);
        log('info', 'credentials', `participant ${change.id} ${suspended ? 'suspended' : 'resumed'} at the hub`);
      }
      // A user ID signs in to the hub's screens only: nothing of it reaches a data provision site.
      this.#position = Math.max(this.#position, change.position);
    }
    this.#position = Math.max(this.#position, next);
  }
}

function toggle(set: Set<string>, id: string, on: boolean): void {
  if (on) set.add(id);
  else set.delete(id);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
