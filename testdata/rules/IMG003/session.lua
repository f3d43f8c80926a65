redis.call('HSET', KEYS[1], 'token', ARGV[1])
redis.call('HEXPIRE', KEYS[1], 3600, 'FIELDS', 1, 'token')
