import { Body, Controller, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CreateOrderDto } from './dto/create-order.dto.js';
import { type PlacedOrder, OrdersService } from './orders.service.js';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** 201 with the order; 409 when a product is short of stock; 404 for an unknown product. */
  @Post()
  place(@Body() dto: CreateOrderDto): Promise<PlacedOrder> {
    return this.orders.place(dto);
  }
}
