package inventory

import "github.com/redis/go-redis/v9"

func New(addrs []string) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
}
