import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_VISITOR_DAYS = 31;

export class VisitorsQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_VISITOR_DAYS, default: 7, description: 'UTC days, ending today, to merge' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'days must be a whole number' })
  @Min(1)
  @Max(MAX_VISITOR_DAYS)
  days: number = 7;
}
