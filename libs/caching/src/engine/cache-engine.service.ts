import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { REDIS_CLIENT } from '../caching.constants.js';
import { CACHING_OPTIONS } from '../caching.module-definition.js';
import type { CachingModuleOptions } from '../caching.options.js';
import { CacheKeyBuilder } from '../keys/cache-key.builder.js';
import { L1Cache } from '../l1/l1.cache.js';
import { encodeKeyPart } from '../keys/key-part.encoder.js';
import { CacheMetrics } from '../metrics/cache.metrics.js';
import type { RedisClient } from '../redis/redis.client-factory.js';
import type { CacheEntry } from '../serialization/cache-entry.codec.js';
import { SharedReads } from '../stampede/shared-reads.js';
import { Singleflight } from '../stampede/singleflight.js';
import { AccessFrequency } from './access-frequency.js';
import { CacheFactoryTimeoutError } from './cache.errors.js';
import { EntryStore, type Maybe, REFUSED, UNAVAILABLE } from './entry-store.js';
import { freshnessOf, jitteredTtlMs } from './freshness.js';
import { InvalidationReplay } from './invalidation-replay.js';
import type { MissedInvalidation } from './missed-invalidations.js';
import {
  type CacheEngineSettings,
  type CacheFactory,
  type CacheRead,
  DEFAULT_ENGINE_SETTINGS,
  type GetOrSetOptions,
  type ReadOutcome,
} from './get-or-set.options.js';
import { namespaceOf } from './namespace-of.js';
import { ReadThroughCache, type ReadThroughDefinition } from './read-through.js';
import type { KeyPart } from '../keys/key-part.encoder.js';

type Storable<T> = Exclude<CacheEntry<T>, { kind: 'tombstone' }>;
type LockMode = 'wait' | 'try';

interface LockOutcome<T> {
  token?: string;
  /** Another process filled the key while we waited: serve this. */
  filled?: Storable<T>;
  /** try-mode only: someone else holds the lock, skip the fill. */
  busy?: boolean;
  /** The generation to fill against, re-read after waiting. */
  lease: number;
}

/** Missed invalidations: replayed every 250 ms while Redis stays away, at most 10,000 kept. */
const REPLAY = { intervalMs: 250, capacity: 10_000 };

/** Options of an authoritative write ({@link CacheEngine.set}). */
export type SetOptions = Pick<GetOrSetOptions, 'ttlMs' | 'jitter' | 'graceMs' | 'tags'>;

/**
 * The cache engine: `getOrSet` with stampede protection, stale-while-revalidate, XFetch,
 * fail-safe, leases against stale sets, tags and generations, on the shared Redis client.
 * Redis trouble never throws out of it: reads become misses and the factory answers.
 * An invalidation Redis did not take is replayed once it answers again, and until then this
 * process reads around the cache where it could meet what that invalidation removes.
 *
 * Values round-trip through JSON: dates come back as strings. A value handed to several
 * coalesced callers is one object: treat cached values as read-only.
 *
 * @example
 * const user = await engine.getOrSet(engine.keys.tagged('user', id, 'profile'),
 *   () => repo.findOneBy({ id }), { ttlMs: 20 * 60_000, jitter: 0.1, negativeTtlMs: 30_000 });
 */
@Injectable()
export class CacheEngine implements BeforeApplicationShutdown {
  readonly keys: CacheKeyBuilder;
  private readonly store: EntryStore;
  /** Reads waiting for their GET, by key: callers of a key in the meantime share the answer. */
  private readonly reads = new SharedReads<CacheRead<unknown>>();
  private readonly fills = new Singleflight<CacheRead<unknown>>();
  private readonly refreshes = new Singleflight<void>();
  private readonly frequency = new AccessFrequency();
  private readonly settings: CacheEngineSettings;
  private readonly logger = new Logger('CacheEngine');
  /** The in-process tier, when some entities opted in. */
  private readonly l1: L1Cache | undefined;
  /** Invalidations Redis did not take, replayed once it answers again. */
  private readonly missed: InvalidationReplay;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient,
    @Inject(CACHING_OPTIONS) options: CachingModuleOptions,
    private readonly metrics: CacheMetrics,
  ) {
    this.settings = { ...DEFAULT_ENGINE_SETTINGS, ...options.engine };
    this.keys = new CacheKeyBuilder(options.keyPrefix, options.service);
    this.store = new EntryStore(redis, metrics, this.settings);
    if (options.l1?.entities.length) this.l1 = new L1Cache(redis, options, metrics, options.l1);
    this.missed = new InvalidationReplay((invalidation) => this.replay(invalidation), metrics, REPLAY);
  }

  /** The value for `key`: from the cache when it can be, otherwise from `factory` (then cached). */
  getOrSet<T>(key: string, factory: CacheFactory<T>, options: GetOrSetOptions): Promise<T | null> {
    return this.fetch(key, factory, options).then(valueOf);
  }

  /**
   * {@link getOrSet}, also telling how the value was served (for `X-Cache`).
   *
   * A hit is one GET. Coalesced in process: callers of a key whose GET is on its way share
   * that GET's answer; callers that find the key missing while another caller of this process
   * fills it wait for that fill instead of starting their own.
   */
  fetch<T>(key: string, factory: CacheFactory<T>, options: GetOrSetOptions): Promise<CacheRead<T>> {
    this.frequency.record(key, options.adaptiveTtl !== undefined);
    const startedAt = performance.now();
    const slot = this.reads.slot(key);
    if (slot.read) {
      // A read of this key is on its way: share its answer (one GET for a burst on a hot key).
      this.metrics.coalesced.inc({ namespace: namespaceOf(key) });
      return slot.read.then((read) => this.served(key, read, startedAt)) as Promise<CacheRead<T>>;
    }
    const read = this.read(key).then((entry) => {
      slot.read = undefined; // from now on a caller reads again: what it finds may be newer
      return this.answer(key, entry, factory as CacheFactory<unknown>, options, startedAt);
    });
    slot.read = read;
    return read as Promise<CacheRead<T>>;
  }

  /** A cached value without a factory: fresh, or stale within grace; `undefined` when there is none. */
  async get<T>(key: string): Promise<T | null | undefined> {
    const entry = await this.read<T>(key);
    if (entry === UNAVAILABLE) return undefined;
    const freshness = freshnessOf(entry, Date.now(), 0);
    if (freshness === 'unusable' || !entry || entry.kind === 'tombstone') return undefined;
    return entry.kind === 'value' ? entry.value : null;
  }

  /** Many keys at once (one MGET per hash slot); missing, expired or unreadable keys are `undefined`. */
  async getMany<T>(keys: string[]): Promise<(T | null | undefined)[]> {
    const entries = keys.some((key) => this.missed.coversKey(key)) ? UNAVAILABLE : await this.store.readMany<T>(keys);
    if (entries === UNAVAILABLE) return keys.map(() => undefined);
    const now = Date.now();
    return entries.map((entry) => {
      if (!entry || entry.kind === 'tombstone' || freshnessOf(entry, now, 0) === 'unusable') return undefined;
      return entry.kind === 'value' ? entry.value : null;
    });
  }

  /**
   * Write-through: stores `value` as the new truth (call it after the database commit).
   * Bumps the key's generation, so a slower fill that read the old row cannot overwrite it.
   * When Redis does not take it, the key's invalidation is replayed once Redis answers again.
   */
  async set<T>(key: string, value: T, options: SetOptions): Promise<boolean> {
    const ttlMs = jitteredTtlMs(options.ttlMs, options.jitter);
    const graceMs = options.graceMs ?? 0;
    const now = Date.now();
    const body = this.store.encode(key, {
      kind: 'value',
      generation: 0,
      value,
      freshUntilMs: now + ttlMs,
      staleUntilMs: now + ttlMs + graceMs,
      computeMs: 0,
    });
    if (body === undefined) {
      await this.delete(key);
      return false;
    }
    await this.registerTags(key, options.tags, ttlMs + graceMs);
    const written = (await this.store.writeAuthoritative(key, body, ttlMs + graceMs)) !== UNAVAILABLE;
    if (!written) this.missed.remember('key', key);
    await this.l1?.invalidate([key]);
    return written;
  }

  /**
   * Explicit invalidation. Leaves a short tombstone so fills that started earlier cannot write.
   * A key Redis does not take (down, slow) is invalidated again once it answers.
   */
  async delete(...keys: string[]): Promise<void> {
    await Promise.all(
      keys.map(async (key) => {
        if (!(await this.tombstone(key))) this.missed.remember('key', key);
      }),
    );
    await this.l1?.invalidate(keys);
  }

  /** Invalidates every key stored with any of `tags`; returns how many keys were invalidated. */
  async invalidateTags(...tags: string[]): Promise<number> {
    let invalidated = 0;
    for (const tag of tags) {
      const count = await this.invalidateTag(tag);
      if (count === undefined) this.missed.remember('tag', tag);
      invalidated += count ?? 0;
    }
    return invalidated;
  }

  /**
   * The current generation of a group of keys (for versioned keys such as list pages), or
   * `undefined` when Redis cannot say: then the caller should bypass the cache.
   *
   * @example const v = await engine.generation('user-list'); key = engine.keys.key('user-list', `v${v}`, page)
   */
  async generation(name: string): Promise<number | undefined> {
    if (this.missed.coversGeneration(name)) return undefined;
    const key = this.generationKey(name);
    const raw = await this.store.call('generation', key, () => this.redis.get(key));
    if (raw === UNAVAILABLE) return undefined;
    return raw === null ? 0 : Number(raw);
  }

  /**
   * Moves a group to a new generation: its old keys are never read again and expire on their own.
   * A bump Redis does not take is replayed once it answers again.
   */
  async bumpGeneration(name: string): Promise<void> {
    if (!(await this.bump(name))) this.missed.remember('generation', name);
  }

  /** Registers a loader for an entity: the returned cache reads through it on a miss. */
  readThrough<Id extends KeyPart, T>(definition: ReadThroughDefinition<Id, T>): ReadThroughCache<Id, T> {
    return new ReadThroughCache(this, definition);
  }

  /** The most-read keys of this process in the last minute. */
  hotKeys(limit = 10): { key: string; reads: number }[] {
    return this.frequency.hottest(limit);
  }

  get circuitState() {
    return this.store.circuitState;
  }

  /** Lets background refreshes finish, and tries missed invalidations once more, before the Redis connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.refreshes.drain();
    await this.missed.stop();
    await this.l1?.stop();
  }

  /*
   * The three invalidations, each true (or a count) when no replay is needed: done, or refused
   * for good (foreign data at the key: logged and counted as an error, nothing a replay could mend).
   */

  private async tombstone(key: string): Promise<boolean> {
    return (await this.store.invalidate(key)) !== UNAVAILABLE;
  }

  /** Invalidates one tag's keys; `undefined` when Redis could not list them. */
  private async invalidateTag(tag: string): Promise<number | undefined> {
    const tagKey = this.tagKey(tag);
    const members = await this.store.tagMembers(tagKey);
    if (members === UNAVAILABLE) return undefined;
    if (members === REFUSED) return 0;
    await this.delete(...members);
    await this.store.removeFromTag(tagKey, members);
    return members.length;
  }

  private async bump(name: string): Promise<boolean> {
    const key = this.generationKey(name);
    return (await this.store.attempt('generation', key, () => this.redis.incr(key))) !== UNAVAILABLE;
  }

  /** One missed invalidation, sent again: true when it landed (or was refused for good). */
  private async replay({ kind, name }: MissedInvalidation): Promise<boolean> {
    switch (kind) {
      case 'key': {
        const done = await this.tombstone(name);
        if (done) await this.l1?.invalidate([name]);
        return done;
      }
      case 'tag':
        return (await this.invalidateTag(name)) !== undefined;
      case 'generation':
        return this.bump(name);
    }
  }

  /** Whether reads of `key` may be served from the in-process L1 right now (its subscription is live). */
  l1Serves(key: string): boolean {
    return this.l1 !== undefined && this.l1.isLive && this.l1.handles(key);
  }

  private tagKey(tag: string): string {
    return `${this.keys.namespace}#tag:${encodeKeyPart(tag)}`;
  }

  private generationKey(name: string): string {
    return `${this.keys.namespace}#gen:${encodeKeyPart(name)}`;
  }

  /** One entry: from L1 when it holds a fresh copy, else from Redis (then kept in L1 if opted in). */
  private read<T>(key: string): Promise<Maybe<CacheEntry<T> | undefined>> {
    if (this.missed.coversKey(key)) return Promise.resolve(UNAVAILABLE);
    const l1 = this.l1;
    if (!l1) return this.store.read<T>(key);
    const local = l1.get(key);
    if (local) return Promise.resolve(local as CacheEntry<T>);
    const ticket = l1.ticket();
    return this.store.read<T>(key).then((entry) => {
      if (entry !== UNAVAILABLE) l1.fill(key, entry as CacheEntry, ticket);
      return entry;
    });
  }

  /** What a read found, served: at once when fresh; stale while it refreshes; else through one coalesced fill. */
  private answer(
    key: string,
    entry: Maybe<CacheEntry | undefined>,
    factory: CacheFactory<unknown>,
    options: GetOrSetOptions,
    startedAt: number,
  ): CacheRead<unknown> | Promise<CacheRead<unknown>> {
    if (entry === UNAVAILABLE) {
      // Redis is down or slow: the factory answers, once per key for all concurrent callers.
      return this.coalescedFill(key, startedAt, async () => ({ value: (await this.runFactory(key, factory, options, undefined)).value, outcome: 'bypass' }));
    }
    const freshness = freshnessOf(entry, Date.now(), options.xfetchBeta ?? 0);
    const usable = entry as Storable<unknown>;
    const cached = usable?.kind === 'value' ? usable.value : null;
    switch (freshness) {
      case 'fresh':
        return this.served(key, { value: cached, outcome: 'hit' }, startedAt);
      case 'refresh-early':
        this.refreshInBackground(key, usable, factory, options);
        return this.served(key, { value: cached, outcome: 'hit' }, startedAt);
      case 'stale':
        return this.serveStale(key, usable, factory, options, startedAt);
      case 'unusable':
        return this.coalescedFill(key, startedAt, () => this.fillMissing(key, entry, factory, options));
    }
  }

  /** Runs `fill` unless a fill of `key` is already running in this process; then waits for that one. */
  private coalescedFill(key: string, startedAt: number, fill: () => Promise<CacheRead<unknown>>): Promise<CacheRead<unknown>> {
    const { promise, joined } = this.fills.run(key, fill);
    // A caller served by another caller's fill is a read too, with that fill's outcome (as its X-Cache says).
    if (joined) this.metrics.coalesced.inc({ namespace: namespaceOf(key) });
    return promise.then((read) => this.served(key, read, startedAt));
  }

  /** Stale within grace: refresh in the background, and serve the stale value unless the refresh lands within the soft timeout. */
  private async serveStale(
    key: string,
    stale: Storable<unknown>,
    factory: CacheFactory<unknown>,
    options: GetOrSetOptions,
    startedAt: number,
  ): Promise<CacheRead<unknown>> {
    const refreshing = this.refreshInBackground(key, stale, factory, options);
    const fresh = options.softTimeoutMs ? await this.within(refreshing, options.softTimeoutMs) : false;
    if (fresh) {
      const latest = await this.get(key);
      if (latest !== undefined) return this.served(key, { value: latest, outcome: 'miss' }, startedAt);
    }
    return this.served(key, { value: stale.kind === 'value' ? stale.value : null, outcome: 'stale' }, startedAt);
  }

  /** Nothing usable in the cache: load it (under the cross-process lock when asked), against the generation read. */
  private async fillMissing(key: string, entry: CacheEntry | undefined, factory: CacheFactory<unknown>, options: GetOrSetOptions): Promise<CacheRead<unknown>> {
    // A background refresh (XFetch, stale-while-revalidate) of this key is still running: its
    // value lands in a moment, so wait for it rather than start a second load of the same key.
    const refreshing = this.refreshes.running(key);
    if (refreshing) {
      await refreshing;
      const refreshed = await this.get(key);
      if (refreshed !== undefined) return { value: refreshed, outcome: 'miss' };
    }
    return this.fill(key, entry?.generation ?? 0, factory, options, undefined, 'wait');
  }

  private served<T>(key: string, read: CacheRead<T>, startedAt: number): CacheRead<T> {
    this.metrics.reads.record(namespaceOf(key), read.outcome, (performance.now() - startedAt) / 1_000);
    return read;
  }

  /** Starts (or joins) a background refresh; the promise settles true when it stored a value. */
  private refreshInBackground(key: string, stale: Storable<unknown>, factory: CacheFactory<unknown>, options: GetOrSetOptions): Promise<boolean> {
    let stored = false;
    const { promise } = this.refreshes.run(key, async () => {
      try {
        const read = await this.fill(key, stale.generation, factory, options, stale, 'try');
        stored = read.outcome === 'miss';
      } catch (error) {
        this.logger.warn(`background refresh of ${key} failed, serving stale: ${(error as Error).message}`);
      }
    });
    return promise.then(() => stored);
  }

  private async within(promise: Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const controller = new AbortController();
    const timeout = sleep(timeoutMs, false, { signal: controller.signal }).catch(() => false);
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      controller.abort();
    }
  }

  /** Runs the factory (under the cross-process lock when asked) and stores its value against `lease`. */
  private async fill(
    key: string,
    lease: number,
    factory: CacheFactory<unknown>,
    options: GetOrSetOptions,
    stale: Storable<unknown> | undefined,
    lockMode: LockMode,
  ): Promise<CacheRead<unknown>> {
    let lock: LockOutcome<unknown> = { lease };
    if (options.lock) {
      lock = await this.acquireOrWait(key, lease, options, lockMode);
      if (lock.filled) return { value: lock.filled.kind === 'value' ? lock.filled.value : null, outcome: 'hit' };
      if (lock.busy) return { value: stale?.kind === 'value' ? stale.value : null, outcome: 'stale' };
    }
    try {
      const physicalTtlMs = options.ttlMs + (options.graceMs ?? 0);
      await this.registerTags(key, options.tags, physicalTtlMs);
      const staleValue = stale?.kind === 'value' ? stale.value : undefined;
      let result: { value: unknown; computeMs: number; cacheable: boolean };
      try {
        result = await this.runFactory(key, factory, options, staleValue);
      } catch (error) {
        if (stale && Date.now() < stale.staleUntilMs) {
          this.logger.warn(`factory for ${key} failed, serving stale within grace: ${(error as Error).message}`);
          return { value: staleValue ?? null, outcome: 'stale' };
        }
        throw error;
      }
      const stored = result.cacheable && (await this.storeFill(key, lock.lease, result.value, result.computeMs, options));
      return { value: result.value ?? null, outcome: stored ? 'miss' : 'bypass' };
    } finally {
      if (lock.token) await this.store.releaseLock(key, lock.token);
    }
  }

  private async acquireOrWait(key: string, lease: number, options: GetOrSetOptions, mode: LockMode): Promise<LockOutcome<unknown>> {
    const lockOptions = typeof options.lock === 'object' ? options.lock : {};
    const ttlMs = lockOptions.ttlMs ?? options.hardTimeoutMs ?? this.settings.defaultLockTtlMs;
    const deadline = Date.now() + (lockOptions.waitMs ?? this.settings.defaultLockWaitMs);
    let delayMs = 5;
    let waited = false;
    for (;;) {
      const token = await this.store.acquireLock(key, ttlMs);
      if (token === UNAVAILABLE) return { lease };
      if (token) {
        // Double-check: the previous holder may have filled the key between our read and our lock.
        const latest = await this.store.read(key);
        if (latest === UNAVAILABLE) return { token, lease };
        if (latest && latest.kind !== 'tombstone' && freshnessOf(latest, Date.now(), 0) === 'fresh') {
          await this.store.releaseLock(key, token);
          return { lease, filled: latest };
        }
        return { token, lease: latest?.generation ?? 0 };
      }
      if (mode === 'try') return { lease, busy: true };
      if (!waited) this.metrics.lockWaits.inc({ namespace: namespaceOf(key) });
      waited = true;
      // Fail-open: after waitMs a duplicate load beats an error.
      if (Date.now() >= deadline) return { lease };
      await sleep(delayMs);
      delayMs = Math.min(delayMs * 2, 50);
      const latest = await this.store.read(key);
      if (latest !== UNAVAILABLE && latest && latest.kind !== 'tombstone' && freshnessOf(latest, Date.now(), 0) === 'fresh') {
        return { lease, filled: latest };
      }
    }
  }

  private async runFactory(
    key: string,
    factory: CacheFactory<unknown>,
    options: GetOrSetOptions,
    stale: unknown,
  ): Promise<{ value: unknown; computeMs: number; cacheable: boolean }> {
    const hardTimeoutMs = options.hardTimeoutMs ?? this.settings.defaultHardTimeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new CacheFactoryTimeoutError(key, hardTimeoutMs)), hardTimeoutMs);
    const startedAt = performance.now();
    let cacheable = true;
    const doNotCache = () => {
      cacheable = false;
    };
    try {
      const value = await Promise.race([
        Promise.resolve(factory({ signal: controller.signal, stale, doNotCache })),
        new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
      ]);
      const computeMs = performance.now() - startedAt;
      const namespace = namespaceOf(key);
      this.metrics.fills.inc({ namespace });
      this.metrics.fillDuration.observe({ namespace }, computeMs / 1_000);
      return { value, computeMs, cacheable };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stores a fill; returns false when it was not stored (too big, not cacheable, lost the lease, Redis down). */
  private async storeFill(key: string, lease: number, value: unknown, computeMs: number, options: GetOrSetOptions): Promise<boolean> {
    if (value === undefined || (value === null && !options.negativeTtlMs)) return false;
    const now = Date.now();
    const entry: Storable<unknown> =
      value === null
        ? { kind: 'absent', generation: lease, freshUntilMs: now + options.negativeTtlMs!, staleUntilMs: now + options.negativeTtlMs!, computeMs }
        : (() => {
            const ttlMs = jitteredTtlMs(this.ttlFor(key, options), options.jitter);
            return { kind: 'value', generation: lease, value, freshUntilMs: now + ttlMs, staleUntilMs: now + ttlMs + (options.graceMs ?? 0), computeMs };
          })();
    const body = this.store.encode(key, entry);
    if (body === undefined) return false;
    const written = await this.store.writeIfGeneration(key, lease, body, entry.staleUntilMs - now);
    return written === true;
  }

  private ttlFor(key: string, options: GetOrSetOptions): number {
    const adaptive = options.adaptiveTtl;
    if (adaptive && this.frequency.perWindow(key) >= adaptive.hotHitsPerMinute) return adaptive.hotTtlMs;
    return options.ttlMs;
  }

  private async registerTags(key: string, tags: string[] | undefined, ttlMs: number): Promise<void> {
    if (!tags?.length) return;
    await Promise.all(tags.map((tag) => this.store.addToTag(this.tagKey(tag), key, ttlMs)));
  }
}

function valueOf<T>(read: CacheRead<T>): T | null {
  return read.value;
}

export type { ReadOutcome };
