package fetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCacheOptions configure NewRedisCache.
type RedisCacheOptions struct {
	// TTL is how long a response is served after Response.Fetched; the
	// Redis key expires then. Default DefaultCacheTTL.
	TTL time.Duration
	// MaxBytes caps the body of a stored response, as in the disk cache:
	// a larger one is not written, and a value claiming a larger one is
	// not read. Default DefaultMaxBytes; pass the Client's Options.MaxBytes.
	MaxBytes int64
	// Timeout bounds each Redis operation, connecting included. Default
	// DefaultRedisTimeout.
	Timeout time.Duration
	// Pause is how long Redis is left alone after an error: Get and Put
	// are misses meanwhile, costing nothing. Default DefaultRedisPause.
	Pause time.Duration
	// Prefix starts every key. Default DefaultRedisPrefix.
	Prefix string
	// OnError, when set, is told of the error that begins an outage: the
	// first error, and the first after Redis answered again. Later errors
	// of the same outage are only counted (RedisCacheStats.Errors).
	OnError func(error)
	// Now returns the current time; nil: time.Now. For tests.
	Now func() time.Time
}

// Defaults of RedisCacheOptions.
const (
	DefaultRedisTimeout = 500 * time.Millisecond
	DefaultRedisPause   = 5 * time.Second
	// DefaultRedisPrefix names the keys of this format; the number is the
	// version of the format, bumped when it changes.
	DefaultRedisPrefix = "badgebake:fetch:v1:"
)

// RedisCache is a Cache in a Redis server, shared by every process that
// points at it: the replicas of a service, the shards of a batch run.
//
// It stores what the disk cache stores (see NewDiskCache), in the same
// encoding, one key per response: Prefix followed by the hex SHA-256 of
// the Cache key (URL without fragment, and Accept). The key expires when
// the response stops being fresh (TTL after Response.Fetched), so Redis
// forgets expired entries by itself; an entry read back is checked again
// (key, checksum, size, age). Responses with status 5xx, 408 or 429 are
// not stored.
//
// Redis is only ever a saving. Every error from it (unreachable, timed
// out, refused) is a miss for Get and is ignored by Put, so an outage
// makes the Client fetch from the network, never fail. Operations take
// at most Timeout and are not retried; after an error Redis is skipped
// for Pause, so that a dead server costs one timeout per Pause, not one
// per document. Put it behind a memory cache with Layered:
//
//	Layered(NewBoundedCache(BoundedCacheOptions{}), redisCache)
//
// A RedisCache is safe for concurrent use. Close it when done.
type RedisCache struct {
	rdb  *redis.Client
	opts RedisCacheOptions

	pausedUntil atomic.Int64 // Unix nanoseconds; Redis is skipped before it
	down        atomic.Bool  // an error was reported and Redis has not answered since

	hits, misses, errs, skipped atomic.Int64
}

// RedisCacheStats count a RedisCache's work.
type RedisCacheStats struct {
	Hits    int64 // Gets answered from Redis
	Misses  int64 // Gets that Redis answered with nothing usable
	Errors  int64 // operations that failed (each one a miss or a lost Put)
	Skipped int64 // operations not tried because of an earlier error (see Pause)
}

// RedisURLError is a Redis URL that NewRedisCache does not accept.
type RedisURLError struct {
	URL string // with any password replaced by "xxxxx"; "" when it does not parse
	msg string
}

func (e *RedisURLError) Error() string {
	if e.URL == "" {
		return "Redis URL: " + e.msg
	}
	return "Redis URL " + quote(e.URL) + ": " + e.msg
}

// NewRedisCache returns a RedisCache for the server at rawURL:
// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], or rediss:// for TLS (PORT
// default 6379, DB default 0). A URL of another form is a *RedisURLError.
// It does not connect: the first Get or Put does, and if Redis is not
// there, that is an error like any other (see RedisCache).
func NewRedisCache(rawURL string, opts RedisCacheOptions) (*RedisCache, error) {
	ro, err := parseRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultCacheTTL
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRedisTimeout
	}
	if opts.Pause <= 0 {
		opts.Pause = DefaultRedisPause
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultRedisPrefix
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout, ro.PoolTimeout = opts.Timeout, opts.Timeout, opts.Timeout, opts.Timeout
	ro.MaxRetries = -1 // the next document is a new try; Pause spaces them out
	ro.DialerRetries = 1
	ro.DisableIdentity = true
	return &RedisCache{rdb: redis.NewClient(ro), opts: opts}, nil
}

// parseRedisURL checks rawURL (see NewRedisCache) and returns the client
// options it gives.
func parseRedisURL(rawURL string) (*redis.Options, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// The text may hold a password: it is not repeated.
		return nil, &RedisURLError{msg: "not a URL; write redis://HOST:PORT/DB"}
	}
	bad := func(msg string) error { return &RedisURLError{URL: u.Redacted(), msg: msg} }
	switch {
	case u.Scheme != "redis" && u.Scheme != "rediss":
		return nil, bad("the scheme must be redis:// or rediss:// (TLS)")
	case u.Opaque != "" || u.Hostname() == "":
		return nil, bad("no host; write redis://HOST:PORT/DB")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, bad("no query or fragment is understood; write redis://HOST:PORT/DB")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad("the port must be a number from 1 to 65535")
		}
	} else if u.Host != u.Hostname() && u.Host != "["+u.Hostname()+"]" {
		return nil, bad("the port must be a number from 1 to 65535")
	}
	if db := u.Path; db != "" && db != "/" {
		if n, err := strconv.Atoi(db[1:]); err != nil || n < 0 || db[1] == '+' {
			return nil, bad("the database must be a number, as in redis://HOST:PORT/0")
		}
	}
	ro, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, bad(err.Error())
	}
	return ro, nil
}

// Close closes the connections to Redis.
func (c *RedisCache) Close() error { return c.rdb.Close() }

// Stats returns the cache's counters so far.
func (c *RedisCache) Stats() RedisCacheStats {
	return RedisCacheStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Errors: c.errs.Load(), Skipped: c.skipped.Load()}
}

// redisKey is the Redis key of a Cache key.
func (c *RedisCache) redisKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return c.opts.Prefix + hex.EncodeToString(sum[:])
}

// Get returns the response stored under key, if Redis has a fresh one.
func (c *RedisCache) Get(key string) (*Response, bool) {
	if c.paused() {
		c.misses.Add(1)
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	data, err := c.rdb.Get(ctx, c.redisKey(key)).Bytes()
	if err != nil && !errors.Is(err, redis.Nil) {
		c.failed(err)
		c.misses.Add(1)
		return nil, false
	}
	c.answered()
	if err != nil {
		c.misses.Add(1)
		return nil, false
	}
	r, ok := decodeEntry(key, data, c.opts.MaxBytes)
	if !ok || !fresh(r.Fetched, c.opts.Now(), c.opts.TTL) {
		c.misses.Add(1)
		return nil, false
	}
	c.hits.Add(1)
	return r, true
}

// Put stores r under key until it is no longer fresh.
func (c *RedisCache) Put(key string, r *Response) {
	now := c.opts.Now()
	data, ok := encodeEntry(key, r, c.opts.MaxBytes, now)
	if !ok {
		return
	}
	fetched := r.Fetched
	if fetched.IsZero() {
		fetched = now
	}
	ttl := c.opts.TTL - now.Sub(fetched)
	if ttl > c.opts.TTL {
		ttl = c.opts.TTL // from the future: as long as a new response
	}
	if ttl < time.Millisecond || c.paused() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.opts.Timeout)
	defer cancel()
	if err := c.rdb.Set(ctx, c.redisKey(key), data, ttl).Err(); err != nil {
		c.failed(err)
		return
	}
	c.answered()
}

// paused reports (and counts) whether Redis is being left alone after an
// error.
func (c *RedisCache) paused() bool {
	if until := c.pausedUntil.Load(); until != 0 && c.opts.Now().UnixNano() < until {
		c.skipped.Add(1)
		return true
	}
	return false
}

// failed counts err, pauses Redis, and reports err if it begins an outage.
func (c *RedisCache) failed(err error) {
	c.errs.Add(1)
	c.pausedUntil.Store(c.opts.Now().Add(c.opts.Pause).UnixNano())
	if c.down.CompareAndSwap(false, true) && c.opts.OnError != nil {
		c.opts.OnError(err)
	}
}

// answered notes that Redis answered: a later error is a new outage.
func (c *RedisCache) answered() {
	if c.down.Load() {
		c.down.Store(false)
	}
}
