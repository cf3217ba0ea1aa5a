import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvalidationModule } from '@app/caching';
import { OrderEventsConsumer } from '../orders/order-events.consumer.js';
import { UserEventsPublisher } from '../events/user-events.publisher.js';
import { BearerAuthGuard } from '../sessions/bearer-auth.guard.js';
import { SessionStore } from '../sessions/session.store.js';
import { SessionsController } from '../sessions/sessions.controller.js';
import { USERS_CACHE_CONFIG, usersCacheConfig } from '../users.config.js';
import { User } from './user.entity.js';
import { UsersController } from './users.controller.js';
import { UserSummaryService } from './user-summary.service.js';
import { UsersService } from './users.service.js';
import { OrderStatsService } from '../orders/order-stats.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User]), ConfigModule.forFeature(usersCacheConfig), InvalidationModule.forFeature({ streamMaxLength: 10_000 })],
  controllers: [UsersController, SessionsController],
  providers: [
    { provide: USERS_CACHE_CONFIG, inject: [usersCacheConfig.KEY], useFactory: (config: unknown) => config },
    UsersService,
    UserSummaryService,
    OrderStatsService,
    OrderEventsConsumer,
    SessionStore,
    BearerAuthGuard,
    UserEventsPublisher,
  ],
  exports: [UsersService],
})
export class UsersModule {}
