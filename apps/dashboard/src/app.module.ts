import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { DashboardConfigModule } from './dashboard-config.module.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { PageModule } from './page/page.module.js';
import { PlaygroundModule } from './playground/playground.module.js';
import { StatsModule } from './stats/stats.module.js';
import { VisitorsModule } from './visitors/visitors.module.js';

// The dashboard owns no tables: it reads the users and catalog schemas and runs no migrations.
@Module({
  imports: [
    PlatformModule.forService({ service: 'dashboard' }),
    DashboardConfigModule,
    StatsModule,
    VisitorsModule,
    ObservabilityModule,
    PlaygroundModule,
    PageModule,
  ],
})
export class AppModule {}
