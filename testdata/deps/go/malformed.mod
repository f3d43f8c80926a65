module example.com/x

require (
	github.com/redis/go-redis/v9
)
frobnicate all
