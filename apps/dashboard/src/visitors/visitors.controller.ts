import { Controller, Get, Query } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { VisitorsQueryDto } from './visitors-query.dto.js';
import { type UniqueVisitors, VisitorsService } from './visitors.service.js';

@ApiTags('stats')
@Controller('stats/visitors')
export class VisitorsController {
  constructor(private readonly visitors: VisitorsService) {}

  /** Unique visitors per UTC day and over the last `days` days (HyperLogLog, ±0.81 %). */
  @Get()
  @ApiServiceUnavailableResponse({ description: 'Redis is down: the counts live only there' })
  get(@Query() query: VisitorsQueryDto): Promise<UniqueVisitors> {
    return this.visitors.count(query.days);
  }
}
