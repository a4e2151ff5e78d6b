/** Every screen of the hub's web, registered on the hub's HTTPS application. */
import type { FastifyInstance } from 'fastify';
import type { HubDeps } from '../hub/http/hub-server.ts';
import { registerAdminScreens } from './screens/admin.screens.ts';
import { registerApiRepositoryScreens } from './screens/api-repository.screens.ts';
import { registerAuthScreens } from './screens/auth.screens.ts';
import { registerClockScreens } from './screens/clock.screens.ts';
import { registerUserScreens } from './screens/users.screens.ts';
import { registerNoticeScreens } from './screens/notices.screens.ts';
import { registerApiOperationScreens } from './screens/api-operations.screens.ts';

export function registerWebRoutes(app: FastifyInstance, deps: HubDeps): void {
  registerAuthScreens(app, deps);
  registerUserScreens(app, deps);
  registerAdminScreens(app, deps);
  registerApiRepositoryScreens(app, deps);
  registerClockScreens(app, deps);
  registerNoticeScreens(app, deps);
  registerApiOperationScreens(app, deps);
}
