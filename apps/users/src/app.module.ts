import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { USERS_MIGRATIONS } from './database/users.migrations.js';
import { UsersModule } from './users/users.module.js';

@Module({
  imports: [PlatformModule.forService({ service: 'users', migrations: USERS_MIGRATIONS }), UsersModule],
})
export class AppModule {}
