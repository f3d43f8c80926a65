package store

import (
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

func New(addrs []string) *redis.ClusterClient {
	return redis.NewClusterClient(&redis.ClusterOptions{ // feature: cluster
		Addrs:    addrs,
		Protocol: 2, // feature: resp2
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled, // feature: maint-notifications-off
		},
	})
}

func Failover() *redis.Client {
	return redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", Protocol: 3}) // feature: sentinel resp3
}

type Settings struct {
	Protocol int
}

// Decoy: a struct of our own with a Protocol field.
var defaults = Settings{Protocol: 3}
