import type { KeyPart } from '../keys/key-part.encoder.js';
import type { CacheEngine } from './cache-engine.service.js';
import type { CacheRead, FactoryContext, GetOrSetOptions } from './get-or-set.options.js';

/** A registered loader: how to read one entity from the source of truth. */
export interface ReadThroughDefinition<Id extends KeyPart, T> {
  /** Entity name in the key: `<ns><entity>:{<id>}:<field>`. */
  entity: string;
  field?: string;
  load: (id: Id, context: FactoryContext<T>) => Promise<T | null>;
  options: GetOrSetOptions;
}

/**
 * Read-through: callers ask the cache for an id; the cache asks the registered loader on
 * a miss. Made with {@link CacheEngine.readThrough}.
 *
 * @example
 * const products = engine.readThrough({ entity: 'product', load: (id) => repo.findOneBy({ id }), options: { ttlMs: 3_600_000 } });
 * await products.get(42);
 */
export class ReadThroughCache<Id extends KeyPart, T> {
  constructor(
    private readonly engine: CacheEngine,
    private readonly definition: ReadThroughDefinition<Id, T>,
  ) {}

  keyOf(id: Id): string {
    return this.engine.keys.tagged(this.definition.entity, id, this.definition.field ?? 'v');
  }

  get(id: Id): Promise<CacheRead<T>> {
    return this.engine.fetch<T>(this.keyOf(id), (context) => this.definition.load(id, context), this.definition.options);
  }

  /** Many ids: one MGET per slot for the cached ones, the loader for the rest. */
  async getMany(ids: Id[]): Promise<(T | null)[]> {
    const cached = await this.engine.getMany<T>(ids.map((id) => this.keyOf(id)));
    return Promise.all(ids.map(async (id, i) => (cached[i] !== undefined ? cached[i] : (await this.get(id)).value)));
  }

  /** Loads from the source now and stores it (prefetch / warm-up). Returns false when there is nothing to store. */
  async refresh(id: Id): Promise<boolean> {
    const value = await this.definition.load(id, { signal: AbortSignal.timeout(30_000), stale: undefined, doNotCache: () => undefined });
    if (value === null) return false;
    return this.engine.set(this.keyOf(id), value, this.definition.options);
  }

  invalidate(...ids: Id[]): Promise<void> {
    return this.engine.delete(...ids.map((id) => this.keyOf(id)));
  }
}
