/** What an operator's command acts through (operator-session.ts): the database itself, or a running system. */
import type { OperationInput, OperationName, OperationResult } from '../operations/operations.ts';

export interface OperatorSession {
  /** Where the work is done, for people: the database, or the running system. */
  readonly via: string;
  call<K extends OperationName>(name: K, input: OperationInput<K>, onProgress?: (report: unknown) => void): Promise<OperationResult<K>>;
  close(): Promise<void>;
}
