import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CacheEngine, type CacheRead, type GetOrSetOptions, type ReadThroughCache } from '@app/caching';
import { CATALOG_CONFIG, type CatalogConfig } from '../catalog.config.js';
import type { CreateProductDto } from './dto/create-product.dto.js';
import type { UpdateProductDto } from './dto/update-product.dto.js';
import { ALL_PRODUCTS_TAG, categoryTag, listPageKey, PRODUCT_ENTITY } from './product-cache.keys.js';
import { Product } from './product.entity.js';
import { type ProductPage, type ProductView, toProductView } from './product.view.js';

/**
 * Products, cached for read-heavy traffic: details read through a registered loader, with
 * XFetch early recompute, TTL jitter, stale-while-revalidate and a cross-process lock; list
 * pages under category tags. Invalidation comes from the database itself (see
 * {@link ProductChangesListener}); writes through this API also write through for
 * read-your-writes.
 */
@Injectable()
export class ProductsService {
  /** The registered loader: callers ask the cache, the cache asks Postgres on a miss. */
  readonly details: ReadThroughCache<number, ProductView>;
  private readonly detailOptions: GetOrSetOptions;

  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly cache: CacheEngine,
    @Inject(CATALOG_CONFIG) private readonly config: CatalogConfig,
  ) {
    this.detailOptions = {
      ttlMs: config.productTtlMs,
      jitter: config.productJitter,
      graceMs: config.productGraceMs,
      xfetchBeta: config.productXfetchBeta,
      lock: true,
      negativeTtlMs: config.notFoundTtlMs,
    };
    this.details = cache.readThrough({
      entity: PRODUCT_ENTITY,
      load: async (id: number) => {
        const product = await this.products.findOneBy({ id });
        return product ? toProductView(product) : null;
      },
      options: this.detailOptions,
    });
  }

  product(id: number): Promise<CacheRead<ProductView>> {
    return this.details.get(id);
  }

  async create(dto: CreateProductDto): Promise<ProductView> {
    const product = toProductView(await this.products.save(this.products.create({ ...dto, views: 0 })));
    await this.cache.set(this.details.keyOf(product.id), product, this.detailOptions);
    await this.cache.invalidateTags(categoryTag(product.category), ALL_PRODUCTS_TAG);
    return product;
  }

  /**
   * Commits, then writes the new row through to the cache and drops the pages of its old and
   * new category, so the writer reads its own write at once. The CDC listener does the same
   * (a delete) for every change, this one included: that is what covers other writers.
   */
  async update(id: number, dto: UpdateProductDto): Promise<ProductView> {
    if (dto.name === undefined && dto.category === undefined && dto.priceCents === undefined) {
      throw new BadRequestException('nothing to update: send name, category and/or priceCents');
    }
    const rows = (await this.products.query(
      `UPDATE catalog.products p
          SET name = COALESCE($2, p.name), category = COALESCE($3, p.category), price_cents = COALESCE($4, p.price_cents), updated_at = now()
         FROM (SELECT id, category FROM catalog.products WHERE id = $1 FOR UPDATE) old
        WHERE p.id = old.id
      RETURNING p.*, old.category AS old_category`,
      [id, dto.name ?? null, dto.category ?? null, dto.priceCents ?? null],
    )) as [Record<string, unknown>[], number];
    const row = rows[0][0];
    if (!row) throw new NotFoundException(`product ${id} not found`);
    const product = toProductView(
      this.products.create({
        id,
        sku: row.sku as string,
        name: row.name as string,
        category: row.category as string,
        priceCents: row.price_cents as number,
        stock: row.stock as number,
        views: Number(row.views),
        updatedAt: row.updated_at as Date,
      }),
    );
    await this.cache.set(this.details.keyOf(id), product, this.detailOptions);
    await this.cache.invalidateTags(categoryTag(row.old_category as string), categoryTag(product.category), ALL_PRODUCTS_TAG);
    return product;
  }

  /** A page of products, newest id last, cached under its category's tag (and the all-products tag). */
  list(category: string | undefined, page: number, limit: number): Promise<CacheRead<ProductPage>> {
    return this.cache.fetch(
      listPageKey(this.cache.keys, category, page, limit),
      async (): Promise<ProductPage> => {
        const [rows, total] = await this.products.findAndCount({
          where: category === undefined ? {} : { category },
          order: { id: 'ASC' },
          skip: (page - 1) * limit,
          take: limit,
        });
        return { category: category ?? null, page, limit, total, items: rows.map(toProductView) };
      },
      { ttlMs: this.config.listTtlMs, jitter: 0.1, tags: [category === undefined ? ALL_PRODUCTS_TAG : categoryTag(category)] },
    );
  }

  /** Drops what a change of product `id` (in these categories) makes wrong: its details and its categories' pages. */
  async invalidate(id: number | undefined, categories: string[]): Promise<void> {
    if (id !== undefined) await this.details.invalidate(id);
    await this.cache.invalidateTags(...new Set(categories.map(categoryTag)), ALL_PRODUCTS_TAG);
  }
}
