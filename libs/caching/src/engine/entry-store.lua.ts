// Lua run atomically inside Redis. Every script touches one key, so each is slot-safe on a cluster.

/** Writes a fill only if the entry's generation is still the lease the filler read. */
export const SET_IF_GENERATION = `
local current = redis.call('GET', KEYS[1])
local generation = 0
if current then generation = tonumber(string.match(current, '^(%d+)|')) or 0 end
if generation ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'PX', ARGV[3])
return 1`;

/** Authoritative write or invalidation: bumps the generation, so in-flight fills lose. */
export const BUMP_AND_SET = `
local current = redis.call('GET', KEYS[1])
local generation = 0
if current then generation = tonumber(string.match(current, '^(%d+)|')) or 0 end
generation = generation + 1
redis.call('SET', KEYS[1], string.format('%d', generation) .. '|' .. ARGV[1], 'PX', ARGV[2])
return generation`;

/** Deletes a lock only if we still hold it (compare-and-delete on the random token). */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Adds a key to a tag's set and stretches the set's TTL to cover the key's (never shortens it). */
export const TAG_ADD = `
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl >= 0 and ttl < tonumber(ARGV[2]) or ttl == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;
