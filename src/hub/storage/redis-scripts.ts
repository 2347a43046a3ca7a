/**
 * The Lua scripts of the Redis transport. Each runs atomically in Redis, so every node sees one order and
 * one set of ids. Keys of one hub (all under its prefix, so one hash tag in the prefix keeps them in one
 * Redis Cluster slot):
 *
 * - `stream`: a Redis Stream holding the updates, entry ids `<n>-0` where n = 1, 2, 3... is the hub-wide
 *   sequence number, fields `id` (the update id) and `u` (the update as JSON);
 * - `ids`: a hash from update id to n, for replay cursors and duplicate refusal, trimmed with the stream;
 * - `seq`: the newest n.
 */

/**
 * KEYS stream, ids, seq; ARGV update id, update JSON, retention (entries kept, -1 for all).
 * Returns n, or 0 when the id is already held (nothing written).
 */
export const PUBLISH_SCRIPT = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local n = redis.call('INCR', KEYS[3])
local retention = tonumber(ARGV[3])
if retention >= 0 then
  -- Forget the id of the entry that falls out of retention now, before XADD may trim it away.
  local old = n - retention
  if old > 0 then
    local gone = redis.call('XRANGE', KEYS[1], old .. '-0', old .. '-0')
    if gone[1] then redis.call('HDEL', KEYS[2], gone[1][2][2]) end
  end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', math.max(retention, 1), n .. '-0', 'id', ARGV[1], 'u', ARGV[2])
else
  redis.call('XADD', KEYS[1], n .. '-0', 'id', ARGV[1], 'u', ARGV[2])
end
redis.call('HSET', KEYS[2], ARGV[1], n)
return n
`;

/**
 * KEYS stream, ids, seq; ARGV cursor id ('' for earliest), window (replayable entries, -1 for all), scan
 * limit. Returns {0} when the cursor is unknown, out of the window or beyond the scan limit, else
 * {1, entries}: for a cursor, its own entry first, then every later one; for earliest, the whole window.
 */
export const REPLAY_SCRIPT = `
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
local window = tonumber(ARGV[2])
if ARGV[1] == '' then
  local from = 1
  if window >= 0 then from = math.max(1, last - window + 1) end
  return {1, redis.call('XRANGE', KEYS[1], from .. '-0', '+')}
end
local n = redis.call('HGET', KEYS[2], ARGV[1])
if not n then return {0} end
n = tonumber(n)
if (window >= 0 and n <= last - window) or last - n > tonumber(ARGV[3]) then return {0} end
return {1, redis.call('XRANGE', KEYS[1], n .. '-0', '+')}
`;
