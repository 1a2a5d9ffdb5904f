// Package vcache is a small cache whose entries are valid for one data
// version. Callers read the current version from the database in the same
// request (with the permission check) and ask for an entry of exactly that
// version, so a cached value is never older than what the database says,
// on one instance or several. It is bounded by an estimate of its size.
package vcache

import "sync"

// Cache maps keys to values, each tagged with the version it was read at.
// The zero value is ready to use.
type Cache[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]entry[V]
	size    int
}

type entry[V any] struct {
	version int64
	value   V
	size    int
}

// MaxBytes bounds a cache; one entry may use at most an eighth of it.
const MaxBytes = 16 << 20

// Get returns the value stored for k at exactly version.
func (c *Cache[K, V]) Get(k K, version int64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || e.version != version {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put stores v for k as read at version; size is the caller's estimate in
// bytes. A newer entry is never replaced by an older one.
func (c *Cache[K, V]) Put(k K, version int64, v V, size int) {
	if size > MaxBytes/8 {
		return // one huge value should not push everything else out
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[k]; ok {
		if old.version > version {
			return
		}
		c.size -= old.size
	}
	if c.entries == nil || c.size+size > MaxBytes {
		c.entries, c.size = map[K]entry[V]{}, 0 // simple and bounded: start over
	}
	c.entries[k] = entry[V]{version: version, value: v, size: size}
	c.size += size
}
