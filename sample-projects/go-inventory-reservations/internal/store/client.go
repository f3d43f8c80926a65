// Package store opens the connection to the MemoryDB cluster that holds stock and reservations.
package store

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config comes from the environment of the ECS task (see infra/ for the cluster).
type Config struct {
	Addrs    []string
	Username string
	Password string
	TLS      bool
}

func ConfigFromEnv() (Config, error) {
	addrs := os.Getenv("MEMORYDB_ENDPOINT")
	if addrs == "" {
		return Config{}, fmt.Errorf("MEMORYDB_ENDPOINT is not set")
	}
	return Config{
		Addrs:    strings.Split(addrs, ","),
		Username: os.Getenv("MEMORYDB_USER"),
		Password: os.Getenv("MEMORYDB_PASSWORD"),
		TLS:      os.Getenv("MEMORYDB_TLS") != "false",
	}, nil
}

// NewClient returns a cluster client: MemoryDB always runs in cluster mode, even with one shard.
func NewClient(cfg Config) *redis.ClusterClient {
	opts := &redis.ClusterOptions{
		Addrs:          cfg.Addrs,
		Username:       cfg.Username,
		Password:       cfg.Password,
		ReadTimeout:    500 * time.Millisecond,
		WriteTimeout:   500 * time.Millisecond,
		PoolSize:       32,
		RouteByLatency: true,
	}
	if cfg.TLS {
		opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return redis.NewClusterClient(opts)
}
