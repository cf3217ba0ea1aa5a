import { Module } from '@nestjs/common';
import { PlatformModule } from '@app/platform';
import { CatalogHealthModule } from './catalog-health.module.js';
import { CATALOG_MIGRATIONS } from './database/catalog.migrations.js';
import { ProductsModule } from './products/products.module.js';

@Module({
  imports: [PlatformModule.forService({ service: 'catalog', migrations: CATALOG_MIGRATIONS }), CatalogHealthModule, ProductsModule],
})
export class AppModule {}
