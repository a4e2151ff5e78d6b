/**
 * The reads of applications the web screens use: the caller's applications (from the hub's record of
 * what it forwarded) and the outbox filings of one application. The hub's repositories are its own
 * SQL; what other parts of kirikae may read is exported here.
 */
export { listApplications, type ApplicationListItem } from './application-list.repository.ts';
export { selectFilings } from './outbox.repository.ts';
