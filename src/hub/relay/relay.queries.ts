/**
 * The relay reads the web screens use, besides the interfaces' own (relay.commands.ts). The hub's
 * repositories are its own SQL; what other parts of kirikae may read is exported here.
 */
export { countAwaitingDecisionByFamily, type RelayEventRow, type RelayView } from './relay.repository.ts';
