import { CreateUsersSchema1732300000000 } from './migrations/1732300000000-create-users-schema.js';
import { CreateOrderStats1732300000010 } from './migrations/1732300000010-create-order-stats.js';

/** The users schema's migrations, in order; applied at boot and by `npm run migrate`. */
export const USERS_MIGRATIONS = [CreateUsersSchema1732300000000, CreateOrderStats1732300000010];
