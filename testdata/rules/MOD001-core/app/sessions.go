package sessions

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

func Touch(ctx context.Context, rdb *redis.Client, id string) error {
	if err := rdb.HSet(ctx, "session:"+id, "token", "x").Err(); err != nil {
		return err
	}
	return rdb.HExpire(ctx, "session:"+id, 30*time.Minute, "token").Err()
}
