import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CacheReportService } from './cache-report.service.js';
import type { CacheReport } from './cache-report.types.js';

@ApiTags('observability')
@Controller('cache')
export class CacheReportController {
  constructor(private readonly reports: CacheReportService) {}

  /** Hit ratio per service and namespace, latency, Redis memory / evictions / policy, streams, and warnings. 200 even when Redis is down. */
  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ description: 'The figures of the dashboard page' })
  get(): Promise<CacheReport> {
    return this.reports.report();
  }
}
