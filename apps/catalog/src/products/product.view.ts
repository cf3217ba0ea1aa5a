import type { Product } from './product.entity.js';

/** What the API returns and the cache stores for a product. `views` is as of the cached copy (counted behind). */
export interface ProductView {
  id: number;
  sku: string;
  name: string;
  category: string;
  priceCents: number;
  stock: number;
  views: number;
  updatedAt: string;
}

export interface ProductPage {
  category: string | null;
  page: number;
  limit: number;
  total: number;
  items: ProductView[];
}

export function toProductView(product: Product): ProductView {
  return {
    id: Number(product.id),
    sku: product.sku,
    name: product.name,
    category: product.category,
    priceCents: product.priceCents,
    stock: product.stock,
    views: Number(product.views),
    updatedAt: new Date(product.updatedAt).toISOString(),
  };
}
