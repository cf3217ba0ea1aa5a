import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { PageQuery } from '@app/platform';
import { CATEGORY } from './create-product.dto.js';

export class ListProductsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'furniture' })
  @IsOptional()
  @IsString()
  @Matches(CATEGORY, { message: 'category must be a lower-case slug (a-z, 0-9, dashes), at most 64 characters' })
  category?: string;
}

export class TrendingQuery {
  @ApiPropertyOptional({ default: 10, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 10;
}
