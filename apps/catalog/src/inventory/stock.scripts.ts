/**
 * Lua over the `{stock}` slot: the Redis-side stock (a hash: product id → units), the
 * idempotency records, and the write-behind stream of topic `stock`. A script runs
 * atomically, so the check and the decrement can never interleave with another's.
 */

/**
 * KEYS: stock hash, operation (idempotency) key, write-behind stream.
 * ARGV: product id, delta, entry field, entry body, operation TTL (ms).
 * Returns `{'applied', outcome}`, `{'duplicate', outcome}`, `{'insufficient', stock}` or `{'uninitialised'}`.
 */
export const ADJUST_STOCK_LUA = `
local done = redis.call('GET', KEYS[2])
if done then return {'duplicate', done} end
local stock = redis.call('HGET', KEYS[1], ARGV[1])
if not stock then return {'uninitialised'} end
local after = tonumber(stock) + tonumber(ARGV[2])
if after < 0 then return {'insufficient', stock} end
redis.call('HSET', KEYS[1], ARGV[1], after)
local entryId = redis.call('XADD', KEYS[3], '*', ARGV[3], ARGV[4])
local outcome = cjson.encode({ productId = tonumber(ARGV[1]), delta = tonumber(ARGV[2]), stock = after, entryId = entryId })
redis.call('SET', KEYS[2], outcome, 'PX', ARGV[5])
return {'applied', outcome}
`;

/**
 * All or nothing: takes `quantity` of every product, or none when one falls short.
 * KEYS: stock hash. ARGV: product id, quantity, product id, quantity, ...
 * Returns `{'reserved'}`, `{'insufficient', id, stock}` or `{'uninitialised', id, ...}`.
 */
export const RESERVE_STOCK_LUA = `
local missing = {}
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 0 then missing[#missing + 1] = ARGV[i] end
end
if #missing > 0 then return {'uninitialised', unpack(missing)} end
for i = 1, #ARGV, 2 do
  local stock = tonumber(redis.call('HGET', KEYS[1], ARGV[i]))
  if stock < tonumber(ARGV[i + 1]) then return {'insufficient', ARGV[i], tostring(stock)} end
end
for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], -tonumber(ARGV[i + 1])) end
return {'reserved'}
`;

/** Gives reserved units back, to products still tracked. KEYS: stock hash. ARGV: product id, quantity, ... */
export const RELEASE_STOCK_LUA = `
for i = 1, #ARGV, 2 do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`;
