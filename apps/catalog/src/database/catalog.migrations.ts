import { CreateCatalogSchema1732300000100 } from './migrations/1732300000100-create-catalog-schema.js';
import { ProductsCacheInvalidation1732300000200 } from './migrations/1732300000200-products-cache-invalidation.js';
import { ProductsCdcCachedColumns1732300000300 } from './migrations/1732300000300-products-cdc-cached-columns.js';
import { WriteBehindBatchLedger1732300000400 } from './migrations/1732300000400-write-behind-batch-ledger.js';

/** The catalog schema's migrations, in order; applied at boot and by `npm run migrate`. */
export const CATALOG_MIGRATIONS = [
  CreateCatalogSchema1732300000100,
  ProductsCacheInvalidation1732300000200,
  ProductsCdcCachedColumns1732300000300,
  WriteBehindBatchLedger1732300000400,
];
