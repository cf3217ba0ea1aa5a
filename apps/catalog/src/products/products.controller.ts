import { Body, ConflictException, Controller, Get, HttpCode, HttpStatus, NotFoundException, Param, Patch, Post, Put, Query, Res, UnprocessableEntityException } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { type CacheRead, ServeCacheRead } from '@app/caching';
import { ParseIdPipe } from '@app/platform';
import { AdjustStockDto } from '../inventory/dto/adjust-stock.dto.js';
import { StockStore, type StockOutcome } from '../inventory/stock.store.js';
import { ProductExistenceMemo } from '../views/product-existence.memo.js';
import { ProductViewsRecorder } from '../views/product-views.recorder.js';
import { type TrendingProduct, TrendingService } from '../views/trending.service.js';
import { VISITOR_ID_HEADER, VisitorId } from '../views/visitor-id.js';
import { CreateProductDto } from './dto/create-product.dto.js';
import { ListProductsQuery, TrendingQuery } from './dto/list-products.query.js';
import { UpdateProductDto } from './dto/update-product.dto.js';
import type { ProductPage, ProductView } from './product.view.js';
import { ProductsService } from './products.service.js';

interface StatusSetter {
  status(code: number): unknown;
}

@ApiTags('products')
@Controller('products')
export class ProductsController {
  constructor(
    private readonly products: ProductsService,
    private readonly views: ProductViewsRecorder,
    private readonly existing: ProductExistenceMemo,
    private readonly trending: TrendingService,
    private readonly stock: StockStore,
  ) {}

  @Post()
  create(@Body() dto: CreateProductDto): Promise<ProductView> {
    return this.products.create(dto);
  }

  /** Cached per category and page; any change to a product in the category drops its pages (tag). */
  @Get()
  @ServeCacheRead()
  list(@Query() query: ListProductsQuery): Promise<CacheRead<ProductPage>> {
    return this.products.list(query.category, query.page, query.limit);
  }

  /** Today's most-viewed products (sorted set), hydrated with one many-get. */
  @Get('trending')
  async top(@Query() query: TrendingQuery): Promise<{ items: TrendingProduct[] }> {
    return { items: await this.trending.top(query.limit) };
  }

  /** Read-through with XFetch, jitter, stale-while-revalidate and a cross-process lock. */
  @Get(':id')
  @ServeCacheRead({ notFound: 'product :id not found' })
  findOne(@Param('id', ParseIdPipe) id: number): Promise<CacheRead<ProductView>> {
    return this.products.product(id);
  }

  @Put(':id')
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateProductDto): Promise<ProductView> {
    return this.products.update(id, dto);
  }

  /** 202: counted in Redis in one round trip, added to Postgres by the write-behind consumer. */
  @Post(':id/views')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiHeader({ name: VISITOR_ID_HEADER, required: false, description: 'counts unique visitors; the client address otherwise' })
  async view(
    @Param('id', ParseIdPipe) id: number,
    @VisitorId() visitor: string,
  ): Promise<{ productId: number; entryId: string; liveViews: number }> {
    if (!(await this.existing.exists(id))) throw new NotFoundException(`product ${id} not found`);
    return { productId: id, ...(await this.views.record(id, visitor)) };
  }

  /**
   * 202 when the delta is accepted (Postgres follows through the write-behind stream); 200
   * with `applied: false` when this idempotency key was already applied; 409 when it would
   * take the stock below zero.
   */
  @Patch(':id/stock')
  @HttpCode(HttpStatus.ACCEPTED)
  async adjustStock(
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: AdjustStockDto,
    @Res({ passthrough: true }) response: StatusSetter,
  ): Promise<StockOutcome & { applied: boolean }> {
    const result = await this.stock.adjust(id, dto.delta, dto.idempotencyKey);
    if (result.status === 'insufficient') {
      throw new ConflictException(`product ${id} has ${result.stock} in stock: a change of ${dto.delta} would take it below zero`);
    }
    const { outcome } = result;
    if (result.status === 'duplicate') {
      if (outcome.productId !== id || outcome.delta !== dto.delta) {
        throw new UnprocessableEntityException('idempotencyKey was already used for a different stock change');
      }
      response.status(HttpStatus.OK);
    }
    return { applied: result.status === 'applied', ...outcome };
  }
}
