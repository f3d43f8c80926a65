module example.com/legacy

go 1.16

require github.com/go-redis/redis/v8 v8.11.5
