import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { StatsModule } from './stats/stats.module.js';

// The dashboard owns no tables: it reads the users and catalog schemas and runs no migrations.
@Module({
  imports: [PlatformModule.forService({ service: 'dashboard' }), StatsModule],
})
export class AppModule {}
