/**
 * Searching the audit log (the hub admin's screen). The hub's repositories are its own SQL; what
 * other parts of kirikae may read is exported here.
 */
export { searchAudit } from './audit.repository.ts';
