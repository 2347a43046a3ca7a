/**
 * The Lua scripts of the Redis transport. Each runs atomically in Redis, so every node sees one order and
 * one set of ids. Keys of one hub (all under its prefix, so one hash tag in the prefix keeps them in one
 * Redis Cluster slot):
 *
 * - `stream`: a Redis Stream holding the updates, entry ids `<n>-0` where n = 1, 2, 3... is the hub-wide
 *   sequence number, fields `id` (the update id), `u` (the update as JSON) and `t` (when a node accepted
 *   it, ms since the epoch, never less than the entry before; entries written before `t` existed count
 *   as accepted at 0);
 * - `ids`: a hash from update id to n, for replay cursors and duplicate refusal, trimmed with the stream;
 * - `seq`: the newest n.
 *
 * History is the entries from `live_from` (below) to the newest: within the replay window (the newest
 * `window` entries) and, with an age limit, accepted after the cutoff time.
 */

/**
 * Lua functions shared by the scripts. `accepted_at(entry)`: its `t`. `live_from(stream, seq, window,
 * cutoff)`: the smallest n still in history (newest n + 1 when none is); `cutoff` '' means no age limit.
 * Times never decrease along the stream, so the first unexpired entry is found by binary search, each
 * probe an XRANGE of one entry (O(log n)).
 */
const HISTORY_FUNCTIONS = `
local function accepted_at(entry)
  local fields = entry[2]
  for i = 1, #fields, 2 do
    if fields[i] == 't' then return tonumber(fields[i + 1]) end
  end
  return 0
end
local function live_from(stream, seq, window, cutoff)
  local last = tonumber(redis.call('GET', seq) or '0')
  local lo = 1
  if window >= 0 then lo = math.max(1, last - window + 1) end
  if cutoff == '' then return lo, last end
  cutoff = tonumber(cutoff)
  local hi = last + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local entry = redis.call('XRANGE', stream, mid .. '-0', '+', 'COUNT', 1)[1]
    if not entry or accepted_at(entry) > cutoff then
      hi = mid
    else
      lo = tonumber(string.match(entry[1], '^%d+')) + 1
    end
  end
  return lo, last
end
`;

/**
 * KEYS stream, ids, seq; ARGV update id, update JSON, retention (entries kept, -1 for all), the node's
 * clock (ms). Returns n, or 0 when the id is already held (nothing written).
 */
export const PUBLISH_SCRIPT = `
${HISTORY_FUNCTIONS}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local n = redis.call('INCR', KEYS[3])
local retention = tonumber(ARGV[3])
-- Never before the newest entry: nodes' clocks differ a little, and expiry needs times in stream order.
local t = tonumber(ARGV[4])
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if newest then t = math.max(t, accepted_at(newest)) end
if retention >= 0 then
  -- Forget the id of the entry that falls out of retention now, before XADD may trim it away.
  local old = n - retention
  if old > 0 then
    local gone = redis.call('XRANGE', KEYS[1], old .. '-0', old .. '-0')
    if gone[1] then redis.call('HDEL', KEYS[2], gone[1][2][2]) end
  end
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', math.max(retention, 1), n .. '-0', 'id', ARGV[1], 'u', ARGV[2], 't', t)
else
  redis.call('XADD', KEYS[1], n .. '-0', 'id', ARGV[1], 'u', ARGV[2], 't', t)
end
redis.call('HSET', KEYS[2], ARGV[1], n)
return n
`;

/**
 * KEYS stream, ids, seq; ARGV cursor id ('' for earliest), window (replayable entries, -1 for all), scan
 * limit, cutoff time (ms; '' for no age limit). Returns {0} when the cursor is unknown, out of history or
 * beyond the scan limit, else {1, entries}: for a cursor, its own entry first, then every later one; for
 * earliest, the whole history. The newest entry (never pruned) stays a known cursor once expired, with
 * nothing after it, unless the window keeps no entry.
 */
export const REPLAY_SCRIPT = `
${HISTORY_FUNCTIONS}
local window = tonumber(ARGV[2])
local from, last = live_from(KEYS[1], KEYS[3], window, ARGV[4])
if ARGV[1] == '' then return {1, redis.call('XRANGE', KEYS[1], from .. '-0', '+')} end
local n = redis.call('HGET', KEYS[2], ARGV[1])
if not n then return {0} end
n = tonumber(n)
if last - n > tonumber(ARGV[3]) then return {0} end
if n < from and not (n == last and window ~= 0) then return {0} end
return {1, redis.call('XRANGE', KEYS[1], n .. '-0', '+')}
`;

/** KEYS stream, seq; ARGV window (-1 for all), cutoff time ('' for none). Returns the updates in history. */
export const HISTORY_SIZE_SCRIPT = `
${HISTORY_FUNCTIONS}
local from, last = live_from(KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2])
return math.max(0, math.min(last - from + 1, redis.call('XLEN', KEYS[1])))
`;

/**
 * KEYS stream, ids; ARGV cutoff time (ms), most entries to remove. Removes the oldest entries accepted at
 * or before the cutoff, and their ids, but never the newest entry (the last event id). Returns how many
 * it removed: the caller repeats while that is the maximum. Atomic and idempotent, so any node may run it
 * at any time, several at once. (XDEL of a prefix frees the stream's nodes as they empty.)
 */
export const PRUNE_EXPIRED_SCRIPT = `
${HISTORY_FUNCTIONS}
local cutoff = tonumber(ARGV[1])
local newest = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if not newest then return 0 end
local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[2]))
local gone = {}
for _, entry in ipairs(entries) do
  if entry[1] == newest[1] or accepted_at(entry) > cutoff then break end
  redis.call('HDEL', KEYS[2], entry[2][2])
  gone[#gone + 1] = entry[1]
end
if #gone > 0 then redis.call('XDEL', KEYS[1], unpack(gone)) end
return #gone
`;
