import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { CacheRead } from '@app/caching';
import type { CatalogConfig } from '../catalog.config.js';
import type { ProductView } from '../products/product.view.js';
import type { ProductsService } from '../products/products.service.js';
import { ProductExistenceMemo } from './product-existence.memo.js';

/** A products service whose cache knows the ids in `existing`, counting how often it is asked. */
function productsKnowing(existing: Set<number>) {
  const product = mock.fn(
    async (id: number): Promise<CacheRead<ProductView>> => ({ value: existing.has(id) ? ({ id } as ProductView) : null, outcome: 'hit' }),
  );
  return { service: { product } as unknown as ProductsService, asked: () => product.mock.callCount() };
}

const config = (viewExistenceMemoMs: number) => ({ viewExistenceMemoMs }) as CatalogConfig;

describe('ProductExistenceMemo', () => {
  it('asks the product cache once per product while the memo lasts, then again', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
    const products = productsKnowing(new Set([7]));
    const memo = new ProductExistenceMemo(products.service, config(5_000));
    for (let i = 0; i < 100; i++) assert.equal(await memo.exists(7), true);
    assert.equal(products.asked(), 1);
    t.mock.timers.tick(5_001);
    assert.equal(await memo.exists(7), true);
    assert.equal(products.asked(), 2);
  });

  it('never remembers a missing product: one created a moment later is found at once', async () => {
    const existing = new Set<number>();
    const products = productsKnowing(existing);
    const memo = new ProductExistenceMemo(products.service, config(5_000));
    assert.equal(await memo.exists(9), false);
    assert.equal(await memo.exists(9), false);
    existing.add(9);
    assert.equal(await memo.exists(9), true);
    assert.equal(products.asked(), 3);
  });

  it('with a memo of 0 asks on every view', async () => {
    const products = productsKnowing(new Set([7]));
    const memo = new ProductExistenceMemo(products.service, config(0));
    for (let i = 0; i < 3; i++) await memo.exists(7);
    assert.equal(products.asked(), 3);
  });

  it('stays bounded: past 10,000 products it forgets the longest-remembered first', async () => {
    const products = productsKnowing(new Set(Array.from({ length: 10_001 }, (_, i) => i + 1)));
    const memo = new ProductExistenceMemo(products.service, config(60_000));
    for (let id = 1; id <= 10_001; id++) await memo.exists(id);
    const asked = products.asked();
    await memo.exists(10_001); // still remembered
    await memo.exists(2); // still remembered
    assert.equal(products.asked(), asked);
    await memo.exists(1); // the first one was forgotten to make room
    assert.equal(products.asked(), asked + 1);
  });
});
