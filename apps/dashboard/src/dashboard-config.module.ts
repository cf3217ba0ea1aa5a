import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DASHBOARD_CONFIG, dashboardConfig, type DashboardConfig } from './dashboard.config.js';

/** The validated {@link DashboardConfig}, injectable everywhere as `@Inject(DASHBOARD_CONFIG)`. */
@Global()
@Module({
  imports: [ConfigModule.forFeature(dashboardConfig)],
  providers: [{ provide: DASHBOARD_CONFIG, inject: [dashboardConfig.KEY], useFactory: (config: DashboardConfig) => config }],
  exports: [DASHBOARD_CONFIG],
})
export class DashboardConfigModule {}
