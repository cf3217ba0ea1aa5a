import { Global, Module } from '@nestjs/common';
import { WriteBehindCoreModule, WriteBehindHealthIndicator } from '@app/caching';
import { EXTRA_HEALTH_CHECKS } from '@app/platform';

/** Adds write-behind lag to `/health` (global, so the platform's health controller sees it). */
@Global()
@Module({
  imports: [WriteBehindCoreModule],
  providers: [{ provide: EXTRA_HEALTH_CHECKS, inject: [WriteBehindHealthIndicator], useFactory: (wb: WriteBehindHealthIndicator) => [() => wb.check()] }],
  exports: [EXTRA_HEALTH_CHECKS],
})
export class CatalogHealthModule {}
