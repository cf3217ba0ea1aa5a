/**
 * One view, recorded by one script, so one command on the wire and atomic in Redis.
 *
 * KEYS: write-behind stream, live view counts (hash), today's trending set, and optionally
 * today's unique-visitor HyperLogLog (left out on a Redis Cluster, where it lives in another slot).
 * ARGV: product id, trending retention (ms), visitor id, visitors retention (ms), entry fields...
 * Returns `{views counted in Redis, stream entry id}`.
 *
 * The XADD goes first: if it fails, nothing else has changed (a script is not rolled back).
 */
export const RECORD_VIEW_LUA = `
local entryId = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 5))
local views = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('ZINCRBY', KEYS[3], 1, ARGV[1])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
if KEYS[4] then
  redis.call('PFADD', KEYS[4], ARGV[3])
  redis.call('PEXPIRE', KEYS[4], ARGV[4])
end
return {views, entryId}
`;
