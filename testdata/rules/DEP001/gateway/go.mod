module example.com/gateway

go 1.22

require (
	github.com/redis/go-redis/v9 v9.15.0
	github.com/google/uuid v1.6.0
)
