import { ApiPropertyOptional } from '@nestjs/swagger';
import { Trim } from '@app/platform';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { CATEGORY, MAX_PRICE_CENTS } from './create-product.dto.js';

/** What PUT may change. Stock moves only through `PATCH /products/:id/stock` and orders, which keep the Redis-side stock in step. */
export class UpdateProductDto {
  @ApiPropertyOptional({ example: 'Walnut desk, large', maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'office' })
  @IsOptional()
  @Trim()
  @IsString()
  @Matches(CATEGORY, { message: 'category must be a lower-case slug (a-z, 0-9, dashes), at most 64 characters' })
  category?: string;

  @ApiPropertyOptional({ example: 13_900, minimum: 0, maximum: MAX_PRICE_CENTS })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents?: number;
}
