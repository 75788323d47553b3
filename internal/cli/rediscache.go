package cli

import (
	"context"
	"time"

	"github.com/badgebake/badgebake/fetch"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"
)

// addRedisFlag adds --cache, the Redis server shared with others.
func addRedisFlag(cmd *cobra.Command, url *string, others string) {
	cmd.Flags().StringVar(url, "cache", "", "share fetched documents with "+others+" through the Redis server at `URL`: redis://HOST:PORT/DB (rediss:// for TLS, redis://:PASSWORD@HOST:PORT/DB); each is kept for --cache-ttl; if Redis does not answer, documents are fetched without it")
}

// guardedRedisPrefix starts the keys of the documents fetched with the
// address guard on.
const guardedRedisPrefix = fetch.DefaultRedisPrefix + "guarded:"

// withRedis puts front before the Redis cache at rawURL ("": none): a
// document is looked for in Redis after front, and stored in both. Redis
// errors go to onError, once per outage. A URL that is not one is a usage
// error.
//
// Runs with the address guard (guarded) keep their documents apart, so
// that a service refusing private addresses never answers from a document
// that a run without the guard fetched from one.
func withRedis(front fetch.Cache, rawURL string, guarded bool, ttl time.Duration, maxBytes int64, onError func(error)) (fetch.Cache, error) {
	if rawURL == "" {
		return front, nil
	}
	prefix := fetch.DefaultRedisPrefix
	if guarded {
		prefix = guardedRedisPrefix
	}
	rc, err := fetch.NewRedisCache(rawURL, fetch.RedisCacheOptions{TTL: ttl, MaxBytes: maxBytes, Prefix: prefix, OnError: onError})
	if err != nil {
		return nil, usagef("--cache: %v", err)
	}
	// The client's own log lines would repeat, on every failed
	// connection, what onError says once.
	redis.SetLogger(quietRedis{})
	return fetch.Layered(front, rc), nil
}

// quietRedis discards the Redis client's log.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
