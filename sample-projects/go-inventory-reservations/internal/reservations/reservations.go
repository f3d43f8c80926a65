// Package reservations holds items for a checkout for a few minutes, so two customers never
// buy the last unit twice. Stock and reservations live in MemoryDB (durable, multi-AZ).
package reservations

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
)

var ErrOutOfStock = errors.New("not enough stock")

// reserve: KEYS = stock, reservation, events; ARGV = quantity, ttl seconds, reservation id.
var reserve = redis.NewScript(`
local available = tonumber(redis.call('HGET', KEYS[1], 'available') or '0')
local qty = tonumber(ARGV[1])
if available < qty then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'available', -qty)
redis.call('HINCRBY', KEYS[1], 'reserved', qty)
redis.call('HSET', KEYS[2], 'qty', qty, 'id', ARGV[3])
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*', 'type', 'reserved', 'id', ARGV[3], 'qty', qty)
return 1
`)

// release: KEYS = stock, reservation, events; ARGV = reservation id, event type.
var release = redis.NewScript(`
local qty = tonumber(redis.call('HGET', KEYS[2], 'qty') or '0')
if qty == 0 then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('HINCRBY', KEYS[1], 'reserved', -qty)
if ARGV[2] == 'cancelled' then
  redis.call('HINCRBY', KEYS[1], 'available', qty)
end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 10000, '*', 'type', ARGV[2], 'id', ARGV[1], 'qty', qty)
return qty
`)

type Service struct {
	rdb redis.Cmdable
	ttl time.Duration
}

func NewService(rdb redis.Cmdable, ttl time.Duration) *Service {
	return &Service{rdb: rdb, ttl: ttl}
}

func (s *Service) Reserve(ctx context.Context, sku, id string, qty int) error {
	keys := []string{stockKey(sku), reservationKey(sku, id), eventsKey(sku)}
	ok, err := reserve.Run(ctx, s.rdb, keys, qty, int(s.ttl.Seconds()), id).Int()
	if err != nil {
		return err
	}
	if ok == 0 {
		return ErrOutOfStock
	}
	return nil
}

// Confirm turns a reservation into a sale; Cancel gives the units back.
func (s *Service) Confirm(ctx context.Context, sku, id string) (int, error) {
	return s.finish(ctx, sku, id, "confirmed")
}

func (s *Service) Cancel(ctx context.Context, sku, id string) (int, error) {
	return s.finish(ctx, sku, id, "cancelled")
}

func (s *Service) finish(ctx context.Context, sku, id, event string) (int, error) {
	keys := []string{stockKey(sku), reservationKey(sku, id), eventsKey(sku)}
	return release.Run(ctx, s.rdb, keys, id, event).Int()
}

type Stock struct {
	Available int64 `json:"available" redis:"available"`
	Reserved  int64 `json:"reserved" redis:"reserved"`
}

func (s *Service) Stock(ctx context.Context, sku string) (Stock, error) {
	var st Stock
	err := s.rdb.HMGet(ctx, stockKey(sku), "available", "reserved").Scan(&st)
	return st, err
}

// Restock is called by the warehouse feed.
func (s *Service) Restock(ctx context.Context, sku string, units int64) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, stockKey(sku), "available", units)
		p.XAdd(ctx, &redis.XAddArgs{Stream: eventsKey(sku), MaxLen: 10000, Approx: true, Values: map[string]any{"type": "restocked", "qty": units}})
		return nil
	})
	return err
}
