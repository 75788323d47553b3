package fetch

import (
	"container/list"
	"time"
)

// failures remembers failed fetches by cache key: for ttl (0: for ever) and
// at most max at once. Entries are kept in the order they were remembered,
// which is also the order they expire in, so forgetting expired ones costs
// only the expired ones. Not safe for concurrent use: the Client's mutex
// guards it.
type failures struct {
	ttl   time.Duration
	max   int
	now   func() time.Time
	byKey map[string]*list.Element // of *failure
	order *list.List               // oldest first
}

type failure struct {
	key string
	err *Error
	at  time.Time // when it was remembered
}

func newFailures(ttl time.Duration, max int, now func() time.Time) failures {
	return failures{ttl: ttl, max: max, now: now, byKey: make(map[string]*list.Element), order: list.New()}
}

// get returns the remembered failure of key, or nil if there is none or it
// has expired.
func (f *failures) get(key string) *Error {
	el := f.byKey[key]
	if el == nil {
		return nil
	}
	fl := el.Value.(*failure)
	if f.expired(fl, f.now()) {
		f.remove(el)
		return nil
	}
	return fl.err
}

// put remembers err for key, unless max failures are remembered and none
// of them has expired: then a new failure is simply not remembered (the
// next Get of that URL fetches again), which bounds the memory without
// letting a flood of bad URLs push out the dead hosts remembered earlier.
func (f *failures) put(key string, err *Error) {
	now := f.now()
	if el := f.byKey[key]; el != nil {
		f.remove(el)
	}
	if len(f.byKey) >= f.max {
		f.dropExpired(now)
		if len(f.byKey) >= f.max {
			return
		}
	}
	f.byKey[key] = f.order.PushBack(&failure{key: key, err: err, at: now})
}

// forget drops the remembered failure of key, if any.
func (f *failures) forget(key string) {
	if el := f.byKey[key]; el != nil {
		f.remove(el)
	}
}

// len returns how many failures are remembered, expired ones included.
func (f *failures) len() int { return len(f.byKey) }

func (f *failures) expired(fl *failure, now time.Time) bool {
	return f.ttl > 0 && now.Sub(fl.at) >= f.ttl
}

func (f *failures) dropExpired(now time.Time) {
	for el := f.order.Front(); el != nil && f.expired(el.Value.(*failure), now); el = f.order.Front() {
		f.remove(el)
	}
}

func (f *failures) remove(el *list.Element) {
	delete(f.byKey, el.Value.(*failure).key)
	f.order.Remove(el)
}
