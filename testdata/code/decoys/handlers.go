package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
)

// Decoy: gin's c.JSON and a TS struct in a file that uses go-redis for sessions.
type TS struct{ Add func(int) int }

func Health(rdb *redis.Client) gin.HandlerFunc {
	return func(c *gin.Context) {
		ts := TS{Add: func(i int) int { return i + 1 }}
		_ = rdb.Set(c, "last", "ok", 0).Err()
		c.JSON(http.StatusOK, gin.H{"status": "ok", "n": ts.Add(1)})
		c.JSONP(http.StatusOK, gin.H{"cmd": "FT.SEARCH is not used here"})
	}
}

var _ = http.MethodGet
