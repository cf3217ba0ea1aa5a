import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CacheEngine } from '../engine/cache-engine.service.js';
import { CACHE_EVICT, CACHE_PUT, CACHEABLE } from './cache-method.constants.js';
import type { CacheableOptions, CacheEvictOptions, CachePutOptions } from './cache-method.options.js';

type AnyMethod = (...args: unknown[]) => unknown;

/**
 * At boot, finds provider methods marked `@Cacheable`, `@CachePut` or `@CacheEvict` and wraps
 * them with the engine. The decorators only record metadata; this is where the work is.
 */
@Injectable()
export class CacheMethodExplorer implements OnModuleInit {
  private readonly logger = new Logger('CacheMethodExplorer');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly engine: CacheEngine,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, AnyMethod> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) this.wrap(instance, name);
    }
  }

  private wrap(instance: Record<string, AnyMethod>, name: string): void {
    const original = instance[name];
    const cacheable = this.reflector.get<CacheableOptions | undefined>(CACHEABLE, original);
    const put = this.reflector.get<CachePutOptions | undefined>(CACHE_PUT, original);
    const evict = this.reflector.get<CacheEvictOptions | undefined>(CACHE_EVICT, original);
    if (!cacheable && !put && !evict) return;
    const engine = this.engine;
    const keys = engine.keys;

    let method: AnyMethod = original;
    if (cacheable) {
      const inner = method;
      method = function (this: unknown, ...args: unknown[]) {
        return engine.getOrSet(cacheable.key({ keys, args }), () => inner.apply(this, args) as Promise<unknown>, cacheable);
      };
    }
    if (put || evict) {
      const inner = method;
      method = async function (this: unknown, ...args: unknown[]) {
        const result = await inner.apply(this, args);
        const call = { keys, args, result };
        if (put) await engine.set(put.key(call), result, put);
        if (evict) {
          await engine.delete(...(evict.keys?.(call) ?? []));
          if (evict.tags) await engine.invalidateTags(...evict.tags(call));
          for (const generation of evict.generations ?? []) await engine.bumpGeneration(generation);
        }
        return result;
      };
    }
    instance[name] = method;
    this.logger.debug?.(`cache decorators applied to ${instance.constructor.name}.${name}`);
  }
}
