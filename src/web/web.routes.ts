/** Every screen of the hub's web, registered on the hub's HTTPS application. */
import type { FastifyInstance } from 'fastify';
import type { HubDeps } from '../hub/http/hub-deps.ts';
import type { InterfaceDeps } from '../hub/interfaces/call.ts';
import { registerAreaScreens } from './screens/area.screens.ts';
import { registerAreaSearchScreens } from './screens/area-search.screens.ts';
import { registerAreaApplicationScreens } from './screens/area-applications.screens.ts';
import { registerAdminScreens } from './screens/admin.screens.ts';
import { registerApiRepositoryScreens } from './screens/api-repository.screens.ts';
import { registerAuthScreens } from './screens/auth.screens.ts';
import { registerClockScreens } from './screens/clock.screens.ts';
import { registerUserScreens } from './screens/users.screens.ts';
import { registerCertificateScreens } from './screens/certificates.screens.ts';
import { registerNoticeScreens } from './screens/notices.screens.ts';
import { registerApiOperationScreens } from './screens/api-operations.screens.ts';
import { registerMailboxScreens } from './screens/mailbox.screens.ts';
import { registerRelayScreens } from './screens/relay.screens.ts';
import { registerRelayAdminScreens } from './screens/relay-admin.screens.ts';
import { registerStatisticsScreens } from './screens/statistics.screens.ts';
import { registerPpsWatchScreens } from './screens/pps-watch.screens.ts';

/** `interfaces`: what the screens that do what an interface does need besides (the grids, their timeout, the outbox's jobs). */
export function registerWebRoutes(app: FastifyInstance, deps: HubDeps, interfaces: InterfaceDeps): void {
  registerAuthScreens(app, deps);
  registerUserScreens(app, deps);
  registerAdminScreens(app, deps);
  registerApiRepositoryScreens(app, deps);
  registerClockScreens(app, deps);
  registerAreaScreens(app, interfaces);
  registerAreaSearchScreens(app, interfaces);
  registerAreaApplicationScreens(app, interfaces);
  registerNoticeScreens(app, deps);
  registerApiOperationScreens(app, deps);
  registerMailboxScreens(app, deps);
  registerRelayScreens(app, interfaces);
  registerRelayAdminScreens(app, deps);
  registerCertificateScreens(app, deps);
  registerStatisticsScreens(app, deps);
  registerPpsWatchScreens(app, interfaces);
}
