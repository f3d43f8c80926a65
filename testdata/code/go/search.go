package search

import (
	"context"
	"encoding/json"

	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
)

type Store struct {
	rdb *redis.Client
	rc  rueidis.Client
}

func (s *Store) Find(ctx context.Context, q string) ([]string, error) {
	res, err := s.rdb.FTSearchWithArgs(ctx, "idx:docs", q, &redis.FTSearchOptions{Limit: 10}).Result() // expect: FT.SEARCH
	if err != nil {
		return nil, err
	}
	_ = s.rdb.JSONSet(ctx, "doc:1", "$", `{"a":1}`).Err() // expect: JSON.SET
	_ = s.rdb.TSAdd(ctx, "temp", "*", 1.5).Err() // expect: TS.ADD
	_ = s.rdb.Do(ctx, "TOPK.RESERVE", "top", 10).Err() // expect: TOPK.RESERVE
	_ = s.rdb.Do(ctx, "vadd", "vs", "VALUES", 2, 0.1, 0.2, "e").Err() // expect: VADD
	cmd := s.rc.B().FtAggregate().Index("idx:docs").Query("*").Build() // expect: FT.AGGREGATE
	_ = s.rc.Do(ctx, cmd).Error()
	out, _ := json.Marshal(res)
	return []string{string(out)}, nil
}
