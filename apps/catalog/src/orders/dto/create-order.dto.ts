import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, Max, Min, ValidateNested } from 'class-validator';

export const PAYMENT_METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export class OrderItemDto {
  @ApiProperty({ example: 42 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  productId!: number;

  @ApiProperty({ example: 2, minimum: 1, maximum: 1_000 })
  @IsInt()
  @Min(1)
  @Max(1_000)
  quantity!: number;
}

export class CreateOrderDto {
  @ApiProperty({ example: 7 })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  userId!: number;

  @ApiProperty({ type: [OrderItemDto] })
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  @ArrayMinSize(1, { message: 'items must list at least one product' })
  @ArrayMaxSize(100)
  items!: OrderItemDto[];

  @ApiProperty({ enum: PAYMENT_METHODS, example: 'card' })
  @IsIn(PAYMENT_METHODS, { message: `paymentMethod must be one of ${PAYMENT_METHODS.join(', ')}` })
  paymentMethod!: PaymentMethod;
}
