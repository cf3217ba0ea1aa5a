import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min, NotEquals } from 'class-validator';

export class AdjustStockDto {
  @ApiProperty({ example: -2, description: 'units to add (positive) or take (negative); never below zero' })
  @IsInt()
  @NotEquals(0, { message: 'delta must not be 0' })
  @Min(-1_000_000)
  @Max(1_000_000)
  delta!: number;

  @ApiProperty({ example: 'b7f3c2e0-restock-42', description: 'the same key is applied once (for 24 h by default)' })
  @IsString()
  @Matches(/^[A-Za-z0-9_.:-]{8,128}$/, { message: 'idempotencyKey must be 8-128 letters, digits or ._:- characters' })
  idempotencyKey!: string;
}
