/**
 * What the suspension screens need besides the commands (suspension.commands.ts). The hub's
 * repositories are its own SQL; what other parts of kirikae may use is exported here.
 */
export type { SuspensionTargetKind } from './status-change.repository.ts';
