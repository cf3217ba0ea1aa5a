import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_PRODUCT_ID = 2_147_483_647;

/** Every experiment aims at one catalog product. */
class ProductExperimentDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PRODUCT_ID)
  productId: number = 1;
}

export class StampedeDto extends ProductExperimentDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 200, description: 'Concurrent GET /products/:id sent at once' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  requests: number = 200;
}

export class WriteBehindBurstDto extends ProductExperimentDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 2_000, default: 500, description: 'POST /products/:id/views sent, 50 at a time' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_000)
  views: number = 500;
}

export class PriceChangeDto extends ProductExperimentDto {
  @ApiPropertyOptional({ minimum: 99, maximum: 1_000_000, description: 'New price; a random one when omitted' })
  @IsOptional()
  @IsInt()
  @Min(99)
  @Max(1_000_000)
  priceCents?: number;
}
