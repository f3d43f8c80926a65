module example.com/cache-service

go 1.22

toolchain go1.22.5

require (
	github.com/redis/go-redis/v9 v9.16.0
	github.com/valkey-io/valkey-go v1.0.52
	github.com/RediSearch/redisearch-go/v2 v2.1.1 // indirect
)

require github.com/cespare/xxhash/v2 v2.3.0 // indirect

replace github.com/valkey-io/valkey-go => ../valkey-go-fork

replace (
	github.com/cespare/xxhash/v2 v2.3.0 => github.com/cespare/xxhash/v2 v2.2.0
)

exclude github.com/redis/go-redis/v9 v9.15.0

retract v0.1.0 // published by mistake
