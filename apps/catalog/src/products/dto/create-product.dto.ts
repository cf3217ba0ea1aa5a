import { ApiProperty } from '@nestjs/swagger';
import { Trim } from '@app/platform';
import { IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

/** Categories are keys and tags: a short slug. */
export const CATEGORY = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const MAX_PRICE_CENTS = 100_000_000;
export const MAX_STOCK = 1_000_000_000;

export class CreateProductDto {
  @ApiProperty({ example: 'SKU-000042', maxLength: 64 })
  @Trim()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { message: 'sku must be 1-64 letters, digits, dots, dashes or underscores' })
  sku!: string;

  @ApiProperty({ example: 'Walnut desk', maxLength: 200 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'furniture' })
  @Trim()
  @IsString()
  @Matches(CATEGORY, { message: 'category must be a lower-case slug (a-z, 0-9, dashes), at most 64 characters' })
  category!: string;

  @ApiProperty({ example: 12_900, minimum: 0, maximum: MAX_PRICE_CENTS })
  @IsInt()
  @Min(0)
  @Max(MAX_PRICE_CENTS)
  priceCents!: number;

  @ApiProperty({ example: 10, minimum: 0, maximum: MAX_STOCK })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;
}
