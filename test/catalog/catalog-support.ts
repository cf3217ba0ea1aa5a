import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ProductView } from '../../apps/catalog/src/products/product.view.js';
import { httpRequest } from '../support/http.js';
import { metricValue } from '../support/service-app.js';

export const unique = () => randomBytes(4).toString('hex');

/** A product as `GET /products/:id` answers it. */
export type ProductBody = ProductView;

/** A product with a fresh sku (and, unless given, a category of its own). */
export async function createProduct(baseUrl: string, overrides: Partial<Omit<ProductBody, 'id' | 'views'>> = {}): Promise<ProductBody> {
  const body = { sku: `SKU-${unique()}`, name: 'Walnut desk', category: `cat-${unique()}`, priceCents: 12_900, stock: 10, ...overrides };
  const response = await httpRequest(`${baseUrl}/products`, { method: 'POST', body });
  assert.equal(response.status, 201, response.text);
  return response.json as ProductBody;
}

/** Selects on catalog.products counted by the service's query logger. */
export async function productSelects(baseUrl: string): Promise<number> {
  return metricValue((await httpRequest(`${baseUrl}/metrics`)).text, 'db_queries_total', { operation: 'select', table: 'catalog.products' });
}
