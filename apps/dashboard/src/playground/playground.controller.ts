import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiConflictResponse, ApiTags } from '@nestjs/swagger';
import { PriceChangeDto, StampedeDto, WriteBehindBurstDto } from './playground.dto.js';
import { PlaygroundService } from './playground.service.js';

/** Buttons of the dashboard page: bounded experiments against catalog. */
@ApiTags('playground')
@ApiConflictResponse({ description: 'Another playground run is in progress' })
@ApiBadGatewayResponse({ description: 'catalog did not answer' })
@Controller('playground')
export class PlaygroundController {
  constructor(private readonly playground: PlaygroundService) {}

  /** Fires concurrent reads of one product at catalog and reports how many loads reached Postgres. */
  @Post('stampede')
  @HttpCode(200)
  stampede(@Body() body: StampedeDto) {
    return this.playground.stampede(body);
  }

  /** Sends a burst of product views to catalog's write-behind queue. */
  @Post('write-behind')
  @HttpCode(200)
  writeBehind(@Body() body: WriteBehindBurstDto) {
    return this.playground.writeBehindBurst(body);
  }

  /** Changes a price with raw SQL and waits for catalog to serve it (CDC invalidation). */
  @Post('price-change')
  @HttpCode(200)
  priceChange(@Body() body: PriceChangeDto) {
    return this.playground.priceChange(body);
  }
}
