import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvalidationModule, WriteBehindCoreModule } from '@app/caching';
import { PLATFORM_CONFIG, type PlatformConfig } from '@app/platform';
import { CATALOG_CONFIG, catalogConfig, type CatalogConfig } from '../catalog.config.js';
import { StockDeltaFlusher } from '../inventory/stock.flusher.js';
import { StockStore } from '../inventory/stock.store.js';
import { writeBehindConsumer } from '../inventory/write-behind.providers.js';
import { OrdersController } from '../orders/orders.controller.js';
import { OrdersService } from '../orders/orders.service.js';
import { ProductExistenceMemo } from '../views/product-existence.memo.js';
import { ProductViewsFlusher } from '../views/product-views.flusher.js';
import { ProductViewsRecorder } from '../views/product-views.recorder.js';
import { TrendingService } from '../views/trending.service.js';
import { TrendingWarmer } from '../warmup/trending.warmer.js';
import { ProductChangesListener } from './product-changes.listener.js';
import { STOCK_TOPIC, VIEWS_TOPIC } from './product-cache.keys.js';
import { Product } from './product.entity.js';
import { ProductsController } from './products.controller.js';
import { ProductsService } from './products.service.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([Product]),
    ConfigModule.forFeature(catalogConfig),
    InvalidationModule.forFeatureAsync({
      imports: [ConfigModule.forFeature(catalogConfig)],
      inject: [catalogConfig.KEY, PLATFORM_CONFIG],
      useFactory: (catalog: CatalogConfig, platform: PlatformConfig) => ({ databaseUrl: catalog.cdcDatabaseUrl ?? platform.databaseUrl }),
    }),
    WriteBehindCoreModule,
  ],
  controllers: [ProductsController, OrdersController],
  providers: [
    { provide: CATALOG_CONFIG, inject: [catalogConfig.KEY], useFactory: (config: unknown) => config },
    ProductsService,
    ProductChangesListener,
    ProductViewsRecorder,
    ProductExistenceMemo,
    TrendingService,
    TrendingWarmer,
    StockStore,
    OrdersService,
    ...writeBehindConsumer(VIEWS_TOPIC, ProductViewsFlusher),
    ...writeBehindConsumer(STOCK_TOPIC, StockDeltaFlusher),
  ],
})
export class ProductsModule {}
