import { BadRequestException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CacheEngine, type CacheRead } from '@app/caching';
import { UserEventsPublisher } from '../events/user-events.publisher.js';
import { SessionStore } from '../sessions/session.store.js';
import { USERS_CACHE_CONFIG, type UsersCacheConfig } from '../users.config.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { User } from './user.entity.js';
import { listPageKey, orderStatsKey, profileKey, USER_LIST_GENERATION, userTag } from './user-cache.keys.js';
import { toUserView, type UserPage, type UserView } from './user.view.js';

/**
 * Users, cached for consistency after writes: cache-aside reads with negative caching,
 * write-through updates guarded against stale sets, explicit invalidation on delete, and
 * list pages under a generation that every write moves on.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly cache: CacheEngine,
    @Inject(USERS_CACHE_CONFIG) private readonly config: UsersCacheConfig,
    private readonly events: UserEventsPublisher,
    private readonly sessions: SessionStore,
  ) {}

  /** Cache-aside: the cache first, Postgres on a miss; a missing user is remembered for `notFoundTtlMs`. */
  profile(id: number): Promise<CacheRead<UserView>> {
    return this.cache.fetch(
      profileKey(this.cache.keys, id),
      async () => {
        const user = await this.users.findOneBy({ id });
        return user ? toUserView(user) : null;
      },
      { ttlMs: this.config.profileTtlMs, jitter: this.config.profileJitter, negativeTtlMs: this.config.notFoundTtlMs },
    );
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  async create(dto: CreateUserDto): Promise<UserView> {
    const user = toUserView(await this.users.save(this.users.create(dto)));
    await this.writeThrough(user);
    await this.events.changed('user.created', user.id);
    return user;
  }

  /** Write-through: the row commits first, then the cache holds the new value (bumping its generation). */
  async update(id: number, dto: UpdateUserDto): Promise<UserView> {
    if (dto.name === undefined && dto.email === undefined) throw new BadRequestException('nothing to update: send name and/or email');
    const { raw } = await this.users
      .createQueryBuilder()
      .update(User)
      .set({ ...dto, updatedAt: () => 'now()' })
      .where('id = :id', { id })
      .returning('*')
      .execute();
    const row = (raw as Record<string, unknown>[])[0];
    if (!row) throw new NotFoundException(`user ${id} not found`);
    const user = toUserView(this.users.create({ id, name: row.name as string, email: row.email as string, createdAt: row.created_at as Date, updatedAt: row.updated_at as Date }));
    await this.writeThrough(user);
    await this.cache.invalidateTags(userTag(id));
    await this.events.changed('user.updated', id);
    return user;
  }

  /** Explicit invalidation: the profile, the order figures, `/me`, every list page (new generation), the sessions. */
  async remove(id: number): Promise<void> {
    const { affected } = await this.users.delete({ id });
    if (!affected) throw new NotFoundException(`user ${id} not found`);
    await this.cache.delete(profileKey(this.cache.keys, id), orderStatsKey(this.cache.keys, id));
    await this.cache.invalidateTags(userTag(id));
    await this.cache.bumpGeneration(USER_LIST_GENERATION);
    await this.sessions.destroyAll(id).catch(() => undefined); // they fail on their own: /me finds no user
    await this.events.changed('user.deleted', id);
  }

  /** A page of users under the current list generation; without Redis, straight from Postgres. */
  async list(page: number, limit: number): Promise<CacheRead<UserPage>> {
    const load = async (): Promise<UserPage> => {
      const [rows, total] = await this.users.findAndCount({ order: { id: 'ASC' }, skip: (page - 1) * limit, take: limit });
      return { page, limit, total, items: rows.map(toUserView) };
    };
    const generation = await this.cache.generation(USER_LIST_GENERATION);
    if (generation === undefined) return { value: await load(), outcome: 'bypass' };
    return this.cache.fetch(listPageKey(this.cache.keys, generation, page, limit), load, { ttlMs: this.config.listTtlMs, jitter: 0.1 });
  }

  private async writeThrough(user: UserView): Promise<void> {
    await this.cache.set(profileKey(this.cache.keys, user.id), user, { ttlMs: this.config.profileTtlMs, jitter: this.config.profileJitter });
    await this.cache.bumpGeneration(USER_LIST_GENERATION);
  }
}
